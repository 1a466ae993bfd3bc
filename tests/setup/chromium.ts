// The browser suite's Chromium: installed before any test file starts (tests/e2e).
import { ensureChromium } from "../../stack/browser.ts";

export default async function setup() {
  await ensureChromium();
}
