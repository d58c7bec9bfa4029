/**
 * The Availability Zones each commercial region offers an account, as `DescribeAvailabilityZones`
 * lists them (its default: the zones that need no opt-in, no Local or Wavelength Zones). Most
 * regions have three, us-east-1 six, us-west-2 and ap-northeast-2 four, us-west-1 two; some
 * letters do not exist (ap-northeast-1b, ca-central-1c). Which letter maps to which physical zone
 * differs per account, and so, in us-west-1 and ap-northeast-1, which letters an account sees:
 * these are what a new account gets. A region missing here is refused rather than given a guess,
 * so the offline preview never offers a zone AWS would not.
 */

const ABC = ["a", "b", "c"];

const LETTERS: Record<string, string[]> = {
    "us-east-1": ["a", "b", "c", "d", "e", "f"],
    "us-east-2": ABC,
    "us-west-1": ["b", "c"],
    "us-west-2": ["a", "b", "c", "d"],
    "ca-central-1": ["a", "b", "d"],
    "ca-west-1": ABC,
    "mx-central-1": ABC,
    "sa-east-1": ABC,
    "eu-west-1": ABC,
    "eu-west-2": ABC,
    "eu-west-3": ABC,
    "eu-central-1": ABC,
    "eu-central-2": ABC,
    "eu-north-1": ABC,
    "eu-south-1": ABC,
    "eu-south-2": ABC,
    "ap-northeast-1": ["a", "c", "d"],
    "ap-northeast-2": ["a", "b", "c", "d"],
    "ap-northeast-3": ABC,
    "ap-southeast-1": ABC,
    "ap-southeast-2": ABC,
    "ap-southeast-3": ABC,
    "ap-southeast-4": ABC,
    "ap-southeast-5": ABC,
    "ap-southeast-7": ABC,
    "ap-south-1": ABC,
    "ap-south-2": ABC,
    "ap-east-1": ABC,
    "ap-east-2": ABC,
    "me-south-1": ABC,
    "me-central-1": ABC,
    "il-central-1": ABC,
    "af-south-1": ABC,
};

/** The region's AZ names, in the order AWS lists them. */
export function availabilityZonesOf(region: string): string[] {
    const letters = LETTERS[region];
    if (!letters) {
        throw new Error(
            `offline mocks: the Availability Zones of ${region} are not known offline; add the region to offline/regions.ts (aws ec2 describe-availability-zones --region ${region})`,
        );
    }
    return letters.map((l) => `${region}${l}`);
}

/** AZ IDs in AWS's shape (use1-az1, apne1-az4); which name has which ID differs per account. */
export function zoneIdsOf(region: string): string[] {
    const [area, direction, n] = region.split("-");
    const short: Record<string, string> = { northeast: "ne", southeast: "se", northwest: "nw", southwest: "sw" };
    const abbreviation = `${area}${short[direction] ?? direction[0]}${n}`;
    return availabilityZonesOf(region).map((_, i) => `${abbreviation}-az${i + 1}`);
}
