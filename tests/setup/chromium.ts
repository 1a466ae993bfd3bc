// The browser suite's Chromium: installed before any test file starts (tests/e2e); and an
// empty screenshots folder, so what a reviewer finds there is this run's screens only.
import { rmSync } from "node:fs";
import { ensureChromium } from "../../stack/browser.ts";
import { screenshots } from "../helpers/screenshots.ts";

export default async function setup() {
  rmSync(screenshots, { recursive: true, force: true });
  await ensureChromium();
}
