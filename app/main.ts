/**
 * `npm run app`: the server for local use. With no DATABASE_URL (or DB_*) it starts an
 * embedded PGlite, so it runs with zero setup, through the same pg code path as on AWS.
 */
import { runMain } from "./run";

runMain(async (options) => (await import("./db/embedded")).startEmbeddedDatabase(options));
