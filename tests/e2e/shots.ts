// Screenshots of a view in the OS light and dark themes (prefers-color-scheme), kept with the test's output.
import { test, type Page } from '@playwright/test';

export async function shotLightAndDark(page: Page, name: string): Promise<void> {
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    await page.screenshot({ path: test.info().outputPath(`${name}-${colorScheme}.png`), fullPage: true });
  }
  await page.emulateMedia({ colorScheme: 'light' });
}
