// The tests' TypeScript loader (.mocharc.json): ts-node in transpile-only mode, with
// scripts/transpile.js as its transpiler, so tests and scripts run the same JavaScript.
// ts-node's own source-map support maps the stack of every Error @pulumi/pulumi creates, which
// made a test's plan a second slower; it is switched off again unless Node's own is asked for
// (`node --enable-source-maps`, which reads the inline maps).
"use strict";
const prepareStackTrace = Error.prepareStackTrace;
require("ts-node").register({ transpileOnly: true, transpiler: require.resolve("./transpile") });
if (!process.execArgv.includes("--enable-source-maps")) {
    Error.prepareStackTrace = prepareStackTrace;
}
