/** The files a fleet needs before anything starts: the app bundle, the certificate, HAProxy's configuration. */
import { copyFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildAppBundle } from "../../app/build";
import { rawErrorResponse } from "../../app/http/respond";
import { reachableHost, type FleetOptions } from "./args";
import { renderHaproxyConfig } from "./haproxyConfig";
import { makeCertificate } from "./system";

export interface FleetFiles {
    /** The app bundle every server runs (in the state directory, so a crashed fleet's servers can be found). */
    bundleFile: string;
    /** The self-signed certificate, also the trust anchor for `verify --ca`. */
    certFile: string;
    configFile: string;
    adminSocket: string;
}

export async function prepareFiles(o: FleetOptions & { httpPort: number }): Promise<FleetFiles> {
    const bundleFile = join(o.stateDir, "server.js");
    if (o.appBundle) {
        copyFileSync(o.appBundle, bundleFile);
    } else {
        writeFileSync(bundleFile, (await buildAppBundle()).code);
    }
    const cert = makeCertificate(join(o.stateDir, "tls"), ["localhost"], [reachableHost(o.bind)]);
    // HAProxy's error files are the app's own raw responses, so with no healthy server the
    // client still gets the app's page and headers (as CloudFront's error pages do for the stack).
    const errorFiles = { 502: "", 503: "", 504: "" };
    for (const status of [502, 503, 504] as const) {
        errorFiles[status] = join(o.stateDir, "errors", `${status}.http`);
        writeFileSync(errorFiles[status], rawErrorResponse(status));
    }
    const configFile = join(o.stateDir, "haproxy.cfg");
    const adminSocket = join(o.stateDir, "haproxy.sock");
    writeFileSync(
        configFile,
        renderHaproxyConfig({
            bind: o.bind,
            httpPort: o.httpPort,
            httpsPort: o.httpsPort,
            certFile: cert.bundleFile,
            adminSocket,
            errorFiles,
            checkIntervalMs: o.checkIntervalMs,
            breaks: o.breaks,
        }),
    );
    return { bundleFile, certFile: cert.certFile, configFile, adminSocket };
}
