// Decides which command starts pep725-ls: the `pep725.server.path` setting, else the Python
// extension's selected interpreter (when pep725_ls is importable there), else `pep725-ls` on PATH.
import * as vscode from "vscode";
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { expandPath } from "./settings";

export interface ServerCommand {
  command: string;
  args: string[];
  /** Where the command came from, for the output channel. */
  origin: string;
}

export class ServerNotFound extends Error {}

const EXECUTABLE = "pep725-ls";

export async function findServer(log: vscode.OutputChannel): Promise<ServerCommand> {
  const config = vscode.workspace.getConfiguration("pep725");
  const extraArgs = config.get<string[]>("server.args") ?? [];

  const configured = config.get<string | null>("server.path");
  if (configured) {
    const command = expandPath(configured);
    // A bare name is looked up on PATH; a relative path is taken from the first workspace folder.
    const base = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? process.cwd();
    const bare = !command.includes("/") && !command.includes(path.sep);
    const resolved = bare ? onPath(command) : path.resolve(base, command);
    if (!resolved || !isExecutable(resolved)) {
      throw new ServerNotFound(
        `pep725-ls: the setting pep725.server.path is '${configured}', but no executable is there. ` +
          `Fix the path, or clear the setting to use '${EXECUTABLE}' from PATH.`,
      );
    }
    return { command: resolved, args: extraArgs, origin: "setting pep725.server.path" };
  }

  const python = await selectedInterpreter(log);
  if (python && (await canImportServer(python))) {
    return { command: python, args: ["-m", "pep725_ls", ...extraArgs], origin: "Python extension's interpreter" };
  }

  const fromPath = onPath(EXECUTABLE);
  if (fromPath) {
    return { command: fromPath, args: extraArgs, origin: "PATH" };
  }

  const where = python ? ` nor importable by the selected interpreter ${python}` : "";
  throw new ServerNotFound(
    `pep725-ls: the language server '${EXECUTABLE}' is not on PATH${where}. ` +
      `Install it (pipx install pep725-ls, or pip install pep725-ls into your project's environment) ` +
      `or set pep725.server.path to the pep725-ls executable, then run "pep725-ls: Restart server".`,
  );
}

/** The Python extension is optional: use its interpreter only when it is installed. */
interface PythonExtensionApi {
  environments?: {
    getActiveEnvironmentPath(resource?: vscode.Uri): { path: string };
    resolveEnvironment(env: { path: string } | string): Promise<{ executable: { uri?: vscode.Uri } } | undefined>;
  };
  settings?: {
    getExecutionDetails(resource?: vscode.Uri): { execCommand: string[] | undefined };
  };
}

async function selectedInterpreter(log: vscode.OutputChannel): Promise<string | undefined> {
  const ext = vscode.extensions.getExtension<PythonExtensionApi>("ms-python.python");
  if (!ext) {
    return undefined;
  }
  try {
    const api = ext.isActive ? ext.exports : await ext.activate();
    const resource = vscode.workspace.workspaceFolders?.[0]?.uri;
    if (api.environments) {
      const active = api.environments.getActiveEnvironmentPath(resource);
      const env = await api.environments.resolveEnvironment(active);
      const exe = env?.executable.uri?.fsPath;
      if (exe) {
        return exe;
      }
    }
    return api.settings?.getExecutionDetails(resource).execCommand?.[0];
  } catch (err) {
    log.appendLine(`[client] could not ask the Python extension for its interpreter: ${String(err)}`);
    return undefined;
  }
}

function canImportServer(python: string): Promise<boolean> {
  return new Promise((resolve) => {
    execFile(python, ["-c", "import pep725_ls"], { timeout: 15000 }, (err) => resolve(!err));
  });
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, os.platform() === "win32" ? fs.constants.F_OK : fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function onPath(name: string): string | undefined {
  const exts = os.platform() === "win32" ? (process.env.PATHEXT ?? ".EXE;.CMD;.BAT").split(";") : [""];
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    if (!dir) {
      continue;
    }
    for (const ext of exts) {
      const candidate = path.join(dir, name + ext);
      if (isExecutable(candidate)) {
        return candidate;
      }
    }
  }
  return undefined;
}
