// The TypeScript loader of every script (`node -r ./scripts/register.js file.ts`): .ts files go
// through scripts/transpile.js, the transpiler the tests use too. Scripts hook it in directly
// rather than through ts-node, whose start (loading TypeScript to read tsconfig.json) cost a
// plan 0.2 s. Source maps are inline but Node's support for them stays off unless asked for
// (`node --enable-source-maps`): turned on, Node parses the maps of every dependency.
"use strict";
const fs = require("node:fs");
const { transpile } = require("./transpile");

require.extensions[".ts"] = function loadTypeScript(module, filename) {
    module._compile(transpile(fs.readFileSync(filename, "utf8"), filename), filename);
};
