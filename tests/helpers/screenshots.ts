// Where the browser suite writes its screenshots (git-ignored); emptied at the start of each run.
import path from "node:path";
import { projectRoot } from "../../stack/settings.ts";

export const screenshots = path.join(projectRoot, "tests", "e2e", "screenshots");
