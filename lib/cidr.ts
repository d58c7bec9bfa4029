/**
 * IPv4 CIDR arithmetic for the VPC layout and for validating config. Pure, so it is tested
 * without mocks.
 */

export interface Ipv4Cidr {
    /** The network address as an unsigned 32-bit integer. */
    base: number;
    prefix: number;
}

const OCTET = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/** Parses "a.b.c.d/n"; undefined for anything else (leading zeros, missing prefix, …). */
export function parseIpv4Cidr(text: string): Ipv4Cidr | undefined {
    const match = /^([0-9.]+)\/(\d{1,2})$/.exec(text);
    if (!match) {
        return undefined;
    }
    const octets = match[1].split(".");
    const prefix = Number(match[2]);
    if (octets.length !== 4 || !octets.every((o) => OCTET.test(o)) || prefix > 32 || match[2] !== String(prefix)) {
        return undefined;
    }
    const base = octets.reduce((acc, o) => acc * 256 + Number(o), 0);
    return { base, prefix };
}

export function formatIpv4Cidr(cidr: Ipv4Cidr): string {
    const b = cidr.base;
    return `${Math.floor(b / 2 ** 24) % 256}.${Math.floor(b / 2 ** 16) % 256}.${Math.floor(b / 2 ** 8) % 256}.${b % 256}/${cidr.prefix}`;
}

function blockSize(prefix: number): number {
    return 2 ** (32 - prefix);
}

/** The same block with its host bits cleared: "10.0.0.1/16" becomes "10.0.0.0/16". */
export function networkOf(cidr: Ipv4Cidr): Ipv4Cidr {
    const size = blockSize(cidr.prefix);
    return { base: Math.floor(cidr.base / size) * size, prefix: cidr.prefix };
}

/** AWS normalises a CIDR with host bits set, which shows up as a diff on every `pulumi up`. */
export function isCanonical(cidr: Ipv4Cidr): boolean {
    return networkOf(cidr).base === cidr.base;
}

export interface SubnetPlan {
    public: string[];
    private: string[];
    isolated: string[];
}

/** Smallest and largest VPC prefixes the layout below supports. */
export const VPC_PREFIX_MIN = 16;
export const VPC_PREFIX_MAX = 20;
/** The layout reserves a quarter of the VPC per AZ, so four AZs at most. */
export const MAX_AZS = 4;

/**
 * Splits the VPC into one equal block per AZ slot (a quarter each, whatever the AZ count, so
 * adding an AZ later never moves an existing subnet, which would replace it). Within each AZ
 * block: private (web servers, where the ASG grows) gets half, public (ALB, NAT, bastion) an
 * eighth, isolated (database) an eighth, and a quarter stays free for later tiers.
 * For 10.0.0.0/16: AZ 1 is 10.0.0.0/18 with private 10.0.0.0/19, public 10.0.32.0/21,
 * isolated 10.0.40.0/21.
 */
export function planSubnets(vpcCidr: string, azCount: number): SubnetPlan {
    const vpc = parseIpv4Cidr(vpcCidr);
    if (!vpc || !isCanonical(vpc)) {
        throw new Error(`planSubnets: "${vpcCidr}" is not a canonical IPv4 CIDR block`);
    }
    if (vpc.prefix < VPC_PREFIX_MIN || vpc.prefix > VPC_PREFIX_MAX) {
        throw new Error(`planSubnets: VPC prefix /${vpc.prefix} is outside /${VPC_PREFIX_MIN}–/${VPC_PREFIX_MAX}`);
    }
    if (!Number.isInteger(azCount) || azCount < 1 || azCount > MAX_AZS) {
        throw new Error(`planSubnets: azCount ${azCount} is outside 1–${MAX_AZS}`);
    }
    const azPrefix = vpc.prefix + 2;
    const azSize = blockSize(azPrefix);
    const plan: SubnetPlan = { public: [], private: [], isolated: [] };
    for (let az = 0; az < azCount; az++) {
        const start = vpc.base + az * azSize;
        plan.private.push(formatIpv4Cidr({ base: start, prefix: azPrefix + 1 }));
        plan.public.push(formatIpv4Cidr({ base: start + azSize / 2, prefix: azPrefix + 3 }));
        plan.isolated.push(formatIpv4Cidr({ base: start + azSize / 2 + azSize / 8, prefix: azPrefix + 3 }));
    }
    return plan;
}
