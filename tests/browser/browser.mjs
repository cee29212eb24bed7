// Shared by the browser tests: Debian's Chromium, headless, with the flags that keep it off the closed network.
import { chromium } from 'playwright-core'

export const CHROMIUM = process.env.CW_CHROMIUM || '/usr/bin/chromium'

export function launchChromium(executablePath = CHROMIUM) {
  return chromium.launch({
    executablePath,
    headless: true,
    timeout: 30_000,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
      '--no-first-run'
    ]
  })
}
