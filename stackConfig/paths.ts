/**
 * How a key's path is written, in messages and in \`pulumi config --path\` arguments alike:
 * \`web.minSize\`, \`bastion.allowedCidrs[1]\`, \`tags["aws:owner"]\` (a key that is not a plain name is
 * quoted, as the CLI's path syntax requires).
 */
import type { Path } from "./rules";

export function pathText(path: Path): string {
    if (path.length === 1 && path[0] === "aws:region") return "aws:region";
    return path
        .map((p, i) =>
            typeof p === "number"
                ? `[${p}]`
                : /^[A-Za-z_][\w-]*$/.test(p)
                  ? i === 0
                      ? p
                      : `.${p}`
                  : `[${JSON.stringify(p)}]`,
        )
        .join("");
}
