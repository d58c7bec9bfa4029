/**
 * Reporting one finding at advisory level from a rule whatever the rule's configured level:
 * used for notes about values a stack rule cannot see during preview, where aborting the whole
 * stack check (the engine's behaviour for an uncaught unknown) would hide every other finding.
 * The engine accepts this object form (makeReportViolationFun in @pulumi/policy's server.js),
 * and the offline runner mirrors it.
 */
import { ReportViolation } from "@pulumi/policy";

export function reportAdvisory(report: ReportViolation, message: string, urn?: string): void {
    (report as unknown as (r: { message: string; urn?: string; enforcementLevel: "advisory" }) => void)({
        message,
        urn,
        enforcementLevel: "advisory",
    });
}
