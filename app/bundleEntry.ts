/**
 * Entry point of the deployed bundle (app/build.ts): the same server as `npm run app`, minus
 * the embedded database, so the one file needs no WebAssembly and no node_modules.
 */
import { runMain } from "./run";

runMain();
