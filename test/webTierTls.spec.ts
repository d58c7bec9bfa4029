/**
 * TLS from the ALB to the servers in the program of both stacks (mocked): an HTTPS target group
 * and health check on web.appPort, that port the only one the ALB may reach, a target group
 * whose replacement can be created before the old one goes, and user data that makes the
 * server's certificate and serves the app over HTTPS on that port.
 */
import { expect } from "chai";
import { ProgramRun } from "../offline/program";
import { defaultsFor } from "../stackConfig";
import { named, ofType, sharedRun } from "./support/program";

const SG = "aws:ec2/securityGroup:SecurityGroup";
const TG = "aws:lb/targetGroup:TargetGroup";

/** [from, to, source] of every rule of `type` on the security group. */
function rulesOn(run: ProgramRun, type: string, sgId: string): unknown[][] {
    return ofType(run, type)
        .filter((r) => r.inputs.securityGroupId === sgId)
        .map((r) => [r.inputs.fromPort, r.inputs.toPort, r.inputs.referencedSecurityGroupId ?? r.inputs.cidrIpv4]);
}

describe("web tier: TLS from the ALB to the servers (mocked program, both stacks)", () => {
    let runs: ProgramRun[];
    before(async () => {
        runs = [await sharedRun("dev"), await sharedRun("prod")];
    });

    it("sends requests and health checks over HTTPS to web.appPort (default 8443), keeping the health check's timing", () => {
        expect(defaultsFor("dev").web.appPort).to.equal(8443);
        expect(defaultsFor("prod").web.appPort).to.equal(8443);
        for (const run of runs) {
            const tg = named(run, TG, "web-lb-tg");
            expect(tg.inputs, run.stack).to.include({ port: 8443, protocol: "HTTPS", protocolVersion: "HTTP1" });
            expect(tg.inputs.healthCheck, run.stack).to.deep.equal({
                enabled: true,
                protocol: "HTTPS",
                port: "traffic-port",
                path: "/healthz",
                interval: 10,
                timeout: 5,
                healthyThreshold: 2,
                unhealthyThreshold: 3,
                matcher: "200",
            });
        }
    });

    it("lets the ALB reach the servers on that port only, and nothing else reach it", () => {
        for (const run of runs) {
            const web = named(run, SG, "web-sg").outputs.id;
            const alb = named(run, SG, "web-lb-sg").outputs.id;
            const ingress = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
            const egress = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule";
            expect(rulesOn(run, egress, alb), run.stack).to.deep.equal([[8443, 8443, web]]);
            // Into the servers: the TLS port from the ALB, and 22 from the bastion (nothing on 8443 else).
            const intoWeb = rulesOn(run, ingress, web);
            expect(
                intoWeb.filter((r) => r[0] !== 22),
                run.stack,
            ).to.deep.equal([[8443, 8443, alb]]);
            expect(intoWeb.filter((r) => r[0] === 22).map((r) => r[1])).to.deep.equal([22]);
        }
    });

    it("has no fixed target-group name, so a new protocol or port creates the new group before the old one goes", () => {
        // A fixed name would collide with the old group during a create-before-delete replacement,
        // and deleting first is refused while a listener forwards to the old group.
        for (const run of runs) {
            const tg = named(run, TG, "web-lb-tg");
            expect(tg.inputs.name, run.stack).to.equal(undefined);
            expect(tg.inputs.namePrefix, run.stack).to.equal(undefined);
            expect(tg.options?.deleteBeforeReplace, run.stack).to.equal(false);
            // What follows the replacement: the listener forwards, and the group registers, by ARN.
            const https = named(run, "aws:lb/listener:Listener", "web-lb-https");
            expect(https.inputs.defaultActions[0].targetGroupArn, run.stack).to.equal(tg.outputs.arn);
            expect(named(run, "aws:autoscaling/group:Group", "web-asg").inputs.targetGroupArns).to.deep.equal([
                tg.outputs.arn,
            ]);
        }
    });

    it("has each server make its certificate before the app starts and serve the app over HTTPS on the target group's port", () => {
        for (const run of runs) {
            const lt = named(run, "aws:ec2/launchTemplate:LaunchTemplate", "web-lt");
            const script = Buffer.from(lt.inputs.userData, "base64").toString("utf8");
            const port = named(run, TG, "web-lb-tg").inputs.port;
            expect(script, run.stack).to.include(`readonly APP_PORT='${port}'`);
            expect(script).to.include(`\nPORT="${port}"\nTLS_CERT_FILE="/etc/webfleet/tls/server.crt"\n`);
            expect(script).to.include('\nTLS_KEY_FILE="/etc/webfleet/tls/server.key"\n');
            const calls = script.slice(script.lastIndexOf("\ninstall_node\n")).trim().split("\n");
            expect(calls.indexOf("install_tls_certificate"), run.stack).to.be.within(
                calls.indexOf("create_user") + 1,
                calls.indexOf("write_environment") - 1,
            );
            expect(calls.at(-1)).to.equal("start_app");
        }
    });
});
