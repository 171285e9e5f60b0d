// VS Code client for pep725-ls: finds the server, starts it over stdio for pyproject.toml files,
// and hands it the `pep725` settings (initializationOptions + workspace/configuration).
import * as vscode from "vscode";
import {
  CloseAction,
  DidChangeConfigurationNotification,
  ErrorAction,
  ErrorHandler,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
} from "vscode-languageclient/node";
import { ServerCommand, findServer, ServerNotFound } from "./serverCommand";
import { serverSettings } from "./settings";

let client: LanguageClient | undefined;
let output: vscode.OutputChannel;
let extensionPath = "";
// Serialises start/stop so a restart while a start is pending cannot leave two servers.
let lifecycle: Promise<void> = Promise.resolve();

export function activate(context: vscode.ExtensionContext): void {
  output = vscode.window.createOutputChannel("pep725-ls");
  extensionPath = context.extensionPath;
  context.subscriptions.push(
    output,
    vscode.commands.registerCommand("pep725.restartServer", () => queue(restart)),
    vscode.commands.registerCommand("pep725.showOutput", () => output.show(true)),
    vscode.workspace.onDidChangeConfiguration((e) => {
      // How the server is started can only change by starting it again; everything else
      // reaches the running server through workspace/didChangeConfiguration.
      if (e.affectsConfiguration("pep725.server") || e.affectsConfiguration("pep725.trace")) {
        void queue(restart);
      }
    }),
  );
  void queue(start);
}

export function deactivate(): Thenable<void> | undefined {
  return queue(stop);
}

function queue(step: () => Promise<void>): Promise<void> {
  lifecycle = lifecycle.then(step, step);
  return lifecycle;
}

async function restart(): Promise<void> {
  await stop();
  await start();
}

async function stop(): Promise<void> {
  const running = client;
  client = undefined;
  if (running) {
    try {
      await running.stop(5000);
    } catch (err) {
      output.appendLine(`[client] stopping the server failed: ${String(err)}`);
    }
  }
}

async function start(): Promise<void> {
  let server: ServerCommand;
  try {
    server = await findServer(output, extensionPath);
  } catch (err) {
    if (err instanceof ServerNotFound) {
      output.appendLine(`[client] ${err.message}`);
      void showNotFound(err);
      return;
    }
    throw err;
  }
  output.appendLine(`[client] starting ${server.command} ${server.args.join(" ")} (${server.origin})`);

  // No `transport`: TransportKind.stdio would append `--stdio` to the arguments, and stdio is
  // the server's default anyway.
  const serverOptions: ServerOptions = { command: server.command, args: server.args };
  let initialized = false;
  let started: LanguageClient | undefined;
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ scheme: "file", pattern: "**/pyproject.toml" }],
    outputChannel: output,
    traceOutputChannel: output,
    initializationOptions: () => ({ pep725: serverSettings(undefined) }),
    // Settings changes reach the server because it registers workspace/didChangeConfiguration
    // for `pep725` dynamically; the middleware below sends only the server's keys.
    errorHandler: crashPolicy(() => initialized),
    middleware: {
      workspace: {
        didChangeConfiguration: async (sections) => {
          const running = started;
          if (running && sections?.includes("pep725")) {
            await running.sendNotification(DidChangeConfigurationNotification.type, {
              settings: { pep725: serverSettings(undefined) },
            });
          }
        },
        // Answer workspace/configuration for `pep725` with the server's settings only
        // (not the client-side `server.*`/`trace.*` keys), resolved for the asked scope.
        configuration: async (params, token, next) => {
          const answers = await next(params, token);
          if (!Array.isArray(answers)) {
            return answers;
          }
          return params.items.map((item, i) => {
            if (item.section !== "pep725") {
              return answers[i];
            }
            return serverSettings(item.scopeUri ? vscode.Uri.parse(item.scopeUri) : undefined);
          });
        },
      },
    },
  };

  const next = new LanguageClient("pep725", "pep725-ls", serverOptions, clientOptions);
  started = next;
  try {
    await next.start();
    initialized = true;
    client = next;
    const info = next.initializeResult?.serverInfo;
    output.appendLine(`[client] server ready: ${info ? `${info.name} ${info.version ?? ""}` : "(no serverInfo)"}`);
  } catch (err) {
    // vscode-languageclient has already said so ("couldn't create connection to server", with
    // a button to the output); a second notification would only add noise.
    output.appendLine(`[client] the server '${server.command}' failed to start: ${String(err)}`);
    if (next.isRunning()) {
      await next.dispose(2000).catch(() => undefined);
    }
  }
}

/**
 * A server that dies before answering `initialize` is not restarted (it would only die again:
 * wrong path, wrong arguments, broken install); one that crashes later is restarted up to four
 * times in three minutes.
 */
function crashPolicy(wasInitialized: () => boolean): ErrorHandler {
  const crashes: number[] = [];
  return {
    error: (_error, _message, count) => ({
      action: (count ?? 0) <= 3 ? ErrorAction.Continue : ErrorAction.Shutdown,
      handled: true,
    }),
    closed: () => {
      if (!wasInitialized()) {
        return { action: CloseAction.DoNotRestart, handled: true };
      }
      const now = Date.now();
      crashes.push(now);
      while (crashes.length > 0 && now - crashes[0] > 3 * 60 * 1000) {
        crashes.shift();
      }
      if (crashes.length > 4) {
        return {
          action: CloseAction.DoNotRestart,
          message:
            'pep725-ls: the server crashed 5 times in 3 minutes and was not restarted. See "pep725-ls: Show output", then run "pep725-ls: Restart server".',
        };
      }
      output.appendLine("[client] the server exited; restarting it");
      return { action: CloseAction.Restart, handled: true };
    },
  };
}

async function showNotFound(err: ServerNotFound): Promise<void> {
  const choice = await vscode.window.showErrorMessage(err.message, "Open Settings", "Show Output");
  if (choice === "Open Settings") {
    void vscode.commands.executeCommand("workbench.action.openSettings", "pep725.server.path");
  } else if (choice === "Show Output") {
    output.show(true);
  }
}
