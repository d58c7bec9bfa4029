/**
 * webfleet: load the stack config, compose the components, export the outputs other teams
 * consume (README.md, "Stack outputs": renaming one is a breaking change).
 */
import * as aws from "@pulumi/aws";
import { loadConfig } from "./config";
import { Bastion } from "./components/bastion";
import { Network } from "./components/network";
import { stackTags } from "./components/tags";

const config = loadConfig();

// Every resource gets the stack's tags through the provider, so none can be forgotten.
const provider = new aws.Provider("aws", {
    region: config.region as aws.Region,
    defaultTags: { tags: stackTags(config.project, config.stack, config.environment, config.tags) },
});
const opts = { providers: { aws: provider } };

const network = new Network("network", config.network, opts);

const bastion = config.bastion.enabled
    ? new Bastion(
          "bastion",
          {
              vpcId: network.vpcId,
              vpcCidr: network.vpcCidr,
              publicSubnetIds: network.publicSubnetIds,
              instanceType: config.bastion.instanceType,
              allowedCidrs: config.bastion.allowedCidrs,
              sshPublicKey: config.bastion.sshPublicKey,
          },
          opts,
      )
    : undefined;

export const vpcId = network.vpcId;
export const publicSubnetIds = network.publicSubnetIds;
export const privateSubnetIds = network.privateSubnetIds;
export const isolatedSubnetIds = network.isolatedSubnetIds;
export const availabilityZones = network.availabilityZones;
export const bastionSecurityGroupId = bastion?.securityGroupId;
export const bastionPublicIp = bastion?.publicIp;
