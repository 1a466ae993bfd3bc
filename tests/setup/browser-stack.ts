// The browser suite's stack: as the other suites', but without USER_MGMT_RLS_ENFORCE's
// repair when the admin function starts. The Database screen's tests drift a table and
// repair it with Enable RLS; a background repair racing them would undo the drift first.
// (The repair itself is tested in tests/integration/toggles.test.ts.)
import type { TestProject } from "vitest/node";
import { stackSetup } from "./stack.ts";

export default (project: TestProject) => stackSetup(project, { USER_MGMT_RLS_ENFORCE: "off" });
