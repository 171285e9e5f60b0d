// Decides which command starts pep725-ls: the `pep725.server.path` setting; else the server
// bundled in this extension (bundled/run_server.py + bundled/libs), run by the Python extension's
// selected interpreter or `python3` on PATH, whichever is Python >= 3.11; else `pep725-ls` on PATH.
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
const MIN_PYTHON = [3, 11];

export async function findServer(log: vscode.OutputChannel, extensionPath: string): Promise<ServerCommand> {
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
          `Fix the path, or clear the setting to use the server bundled with the extension.`,
      );
    }
    return { command: resolved, args: extraArgs, origin: "setting pep725.server.path" };
  }

  // The bundled server: `python -I run_server.py` (isolated: nothing from the workspace is imported).
  const launcher = path.join(extensionPath, "bundled", "run_server.py");
  const tried: string[] = [];
  if (fs.existsSync(launcher) && fs.existsSync(path.join(extensionPath, "bundled", "libs", "pep725_ls"))) {
    const candidates: [string | undefined, string][] = [
      [await selectedInterpreter(log), "the Python extension's interpreter"],
      [onPath("python3") ?? (os.platform() === "win32" ? onPath("python") : undefined), "python3 on PATH"],
    ];
    for (const [python, where] of candidates) {
      if (!python) {
        tried.push(`${where}: none`);
        continue;
      }
      const version = await pythonVersion(python);
      if (version && atLeast(version, MIN_PYTHON)) {
        return {
          command: python,
          args: ["-I", launcher, ...extraArgs],
          origin: `bundled server, run by ${where} ${python} (Python ${version.join(".")})`,
        };
      }
      tried.push(`${where}: ${python} is ${version ? `Python ${version.join(".")}` : "not a working Python"}`);
    }
    log.appendLine(`[client] no Python >= ${MIN_PYTHON.join(".")} for the bundled server (${tried.join("; ")})`);
  } else {
    log.appendLine(`[client] this build of the extension has no bundled server (${launcher})`);
  }

  const fromPath = onPath(EXECUTABLE);
  if (fromPath) {
    return { command: fromPath, args: extraArgs, origin: "PATH" };
  }

  const why = tried.length
    ? `needs Python ${MIN_PYTHON.join(".")} or newer to run the server it bundles, and found none (${tried.join("; ")}), ` +
      `and '${EXECUTABLE}' is not on PATH either. Install Python ${MIN_PYTHON.join(".")}+ (and select it in the Python extension), `
    : `found no server: '${EXECUTABLE}' is not on PATH. Install it (see docs/editors.md in the pep725-ls repository), `;
  throw new ServerNotFound(
    `pep725-ls ${why}or set pep725.server.path to a pep725-ls executable, then run "pep725-ls: Restart server".`,
  );
}

/** [major, minor] of a Python interpreter, or undefined if it does not run. */
function pythonVersion(python: string): Promise<number[] | undefined> {
  return new Promise((resolve) => {
    execFile(python, ["-I", "-c", "import sys; print('%d.%d' % sys.version_info[:2])"], { timeout: 15000 },
      (err, stdout) => {
        const match = /^(\d+)\.(\d+)\s*$/.exec(stdout ?? "");
        resolve(err || !match ? undefined : [Number(match[1]), Number(match[2])]);
      });
  });
}

function atLeast(version: number[], minimum: number[]): boolean {
  return version[0] > minimum[0] || (version[0] === minimum[0] && version[1] >= minimum[1]);
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
