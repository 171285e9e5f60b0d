// The `pep725` settings as the server expects them (see docs/editors.md): the client-only keys
// (`server.*`, `trace.*`) are left out, and paths get `~` and `${workspaceFolder}` expanded.
import * as vscode from "vscode";
import * as os from "os";
import * as path from "path";

export interface ServerSettings {
  severity: Record<string, string>;
  diagnostics: { enable: boolean; docsUrl: string | null };
  completion: { enable: boolean };
  hover: { enable: boolean };
  codeActions: { enable: boolean };
  debounceMs: number;
  nix: { source: string; timeout: number };
  venv: { path: string | null };
}

export function serverSettings(scope: vscode.Uri | undefined): ServerSettings {
  const c = vscode.workspace.getConfiguration("pep725", scope);
  const venv = c.get<string | null>("venv.path") ?? null;
  return {
    severity: { ...(c.get<Record<string, string>>("severity") ?? {}) },
    diagnostics: {
      enable: c.get<boolean>("diagnostics.enable", true),
      docsUrl: c.get<string | null>("diagnostics.docsUrl") ?? null,
    },
    completion: { enable: c.get<boolean>("completion.enable", true) },
    hover: { enable: c.get<boolean>("hover.enable", true) },
    codeActions: { enable: c.get<boolean>("codeActions.enable", true) },
    debounceMs: c.get<number>("debounceMs", 150),
    nix: { source: c.get<string>("nix.source", "vendored"), timeout: c.get<number>("nix.timeout", 20) },
    venv: { path: venv ? expandPath(venv, scope) : null },
  };
}

export function expandPath(value: string, scope?: vscode.Uri): string {
  const folder =
    (scope && vscode.workspace.getWorkspaceFolder(scope)) ?? vscode.workspace.workspaceFolders?.[0];
  let out = value
    .replace(/\$\{userHome\}/g, os.homedir())
    .replace(/\$\{env:([^}]+)\}/g, (_m, name: string) => process.env[name] ?? "");
  if (folder) {
    out = out.replace(/\$\{workspaceFolder\}/g, folder.uri.fsPath);
  }
  if (out === "~" || out.startsWith("~/")) {
    out = path.join(os.homedir(), out.slice(1));
  }
  return out;
}
