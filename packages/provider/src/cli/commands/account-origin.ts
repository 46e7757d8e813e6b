import { providerSocketUrl } from "../../client/url.js";
import { configFilePath, loadConfigFile } from "../../config/index.js";
import { DEFAULT_COORDINATOR } from "../../config/resolve.js";
import { coordinatorOrigin } from "../../daemon/earnings.js";
import { UsageError } from "../usage-error.js";

/** The coordinator's HTTP origin for login/logout: --coordinator, else provider.toml, else the default. */
export async function coordinatorHttpOrigin(flag: string | undefined): Promise<string> {
  const raw = flag ?? (await loadConfigFile(configFilePath())).coordinator ?? DEFAULT_COORDINATOR;
  try {
    return coordinatorOrigin(providerSocketUrl(raw));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}
