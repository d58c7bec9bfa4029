import { expect } from "chai";
import { bufferedStdoutWriter, createLogger, errorFields } from "../../app/log";

describe("app logs", () => {
    it("one JSON object per line, with time, level and message", () => {
        const lines: string[] = [];
        createLogger((l) => lines.push(l)).info("request", { method: "GET", status: 200, skipped: undefined });
        expect(lines).to.have.length(1);
        const parsed = JSON.parse(lines[0]) as Record<string, unknown>;
        expect(parsed).to.deep.include({ level: "info", msg: "request", method: "GET", status: 200 });
        expect(parsed.time).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
        expect(parsed).not.to.have.property("skipped");
    });

    it("the server's writer batches lines per event-loop turn, in order, and writes errors at once", async () => {
        const writes: string[] = [];
        const original = process.stdout.write;
        process.stdout.write = (chunk: string) => writes.push(chunk) > 0;
        try {
            const write = bufferedStdoutWriter();
            write("a");
            write("b");
            const beforeTick = [...writes];
            write("c", true);
            const afterUrgent = [...writes];
            write("d");
            await new Promise((resolve) => setImmediate(resolve));
            process.stdout.write = original;
            expect(beforeTick).to.deep.equal([]);
            expect(afterUrgent).to.deep.equal(["a\nb\nc\n"]);
            expect(writes).to.deep.equal(["a\nb\nc\n", "d\n"]);
        } finally {
            process.stdout.write = original;
        }
    });

    it("errors are reduced to message and code: no stack, and fetch's cause is named", () => {
        const err = new TypeError("fetch failed", {
            cause: Object.assign(new Error("connect ECONNREFUSED 169.254.169.254:80"), { code: "ECONNREFUSED" }),
        });
        expect(errorFields(err)).to.deep.equal({
            error: "fetch failed: connect ECONNREFUSED 169.254.169.254:80",
            errorCode: "ECONNREFUSED",
        });
        expect(errorFields("text")).to.deep.equal({ error: "text" });
    });
});
