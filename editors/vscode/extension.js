// A thin client: starts `gwlint server` for the workspace and hands it the gwlint.* settings.
// Everything else (diagnostics, navigation, hover, code actions) is the server's.
'use strict';

const vscode = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');

let client;

function settings() {
  const c = vscode.workspace.getConfiguration('gwlint');
  return {
    configPath: c.get('configPath') || null,
    select: c.get('select') || [],
    ignore: c.get('ignore') || [],
  };
}

async function activate(context) {
  const command = vscode.workspace.getConfiguration('gwlint').get('path') || 'gwlint';
  const serverOptions = {
    run: { command, args: ['server'], transport: TransportKind.stdio },
    debug: { command, args: ['server'], transport: TransportKind.stdio },
  };
  const clientOptions = {
    documentSelector: [{ scheme: 'file', language: 'yaml' }],
    initializationOptions: settings(),
    synchronize: {
      fileEvents: vscode.workspace.createFileSystemWatcher('**/{*.yaml,*.yml,.gwlint.yaml}'),
    },
  };
  client = new LanguageClient('gwlint', 'gwlint', serverOptions, clientOptions);
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (client && e.affectsConfiguration('gwlint')) {
        client.sendNotification('workspace/didChangeConfiguration', { settings: { gwlint: settings() } });
      }
    }),
  );
  await client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
