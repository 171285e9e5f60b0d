// Drives code-server (VS Code in a browser) through the pep725-ls extension with playwright-core
// and Debian's chromium, the way a person would: keyboard shortcuts and the Problems panel.
// Input: env E2E_SPEC = JSON {url, file, shots, legacy: {line, col}, hover: {line, col}, ...}.
// Output: one JSON line "RESULT {...}" on stdout; exit 1 on the first failed step.
const fs = require("fs");
const path = require("path");
const { chromium } = require("playwright-core");

const spec = JSON.parse(process.env.E2E_SPEC);
const result = { steps: [] };
const t0 = Date.now();
const log = (msg) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1)}s] ${msg}`);
const text = (s) => s.replace(/\u00a0/g, " ").replace(/\s+/g, " ").trim();

async function goTo(page, line, col) {
  // "Go to Line/Column" (Ctrl+G) puts the cursor exactly where we want it, 1-based.
  await page.keyboard.press("Control+G");
  await page.waitForSelector(".quick-input-widget input", { state: "visible" });
  await page.keyboard.type(`${line}:${col}`);
  await page.keyboard.press("Enter");
  await page.waitForSelector(".quick-input-widget", { state: "hidden" });
}

async function editorText(page) {
  // The file is short enough that every line is rendered; sort by the lines' vertical position.
  return page.$$eval(".monaco-editor .view-lines .view-line", (els) =>
    els
      .map((e) => ({ top: parseFloat(e.style.top || "0"), t: e.textContent.replace(/\u00a0/g, " ") }))
      .sort((a, b) => a.top - b.top)
      .map((x) => x.t)
      .join("\n"),
  );
}

async function hoverText(page, expected) {
  // Park the mouse away from the editor so no mouse hover (e.g. on a link) replaces ours.
  await page.mouse.move(1000, 480);
  await page.keyboard.press("Control+K");
  await page.keyboard.press("Control+I");
  // A RegExp matches case-sensitively (a string would not).
  const pattern = new RegExp(expected.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  const hover = page.locator(".monaco-editor .monaco-hover .rendered-markdown", { hasText: pattern });
  await hover.first().waitFor({ timeout: 20000 });
  return text(await hover.first().innerText());
}

async function notifications(page) {
  return page.$$eval(".notifications-toasts .notification-list-item", (els) =>
    els.map((e) => e.textContent.replace(/\s+/g, " ").trim()));
}

async function step(name, fn) {
  log(`step: ${name}`);
  const out = await fn();
  result.steps.push(name);
  return out;
}

(async () => {
  const browser = await chromium.launch({
    executablePath: spec.chromium || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
  });
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.setDefaultTimeout(30000);
  page.on("console", (m) => { if (m.type() === "error") log(`console.error: ${m.text().slice(0, 300)}`); });
  const shot = async (name) => { const p = path.join(spec.shots, name); await page.screenshot({ path: p }); return p; };
  try {
    await step("workbench", async () => {
      await page.goto(spec.url);
      await page.waitForSelector(".monaco-workbench", { timeout: 90000 });
      await page.locator(".explorer-folders-view .monaco-list-row", { hasText: "pyproject.toml" }).click({ timeout: 60000 });
      await page.waitForSelector(".monaco-editor .view-lines");
    });

    if (spec.scenario === "missing-server") {
      result.notification = await step("not-found notification", async () => {
        const toast = page.locator(".notifications-toasts .notification-list-item", { hasText: spec.notificationText });
        await toast.first().waitFor({ timeout: 60000 });
        await page.waitForTimeout(300);
        result.screenshot = await shot("server-not-found.png");
        return text(await toast.first().innerText());
      });
      result.ok = true;
      return;
    }

    result.problem = await step("diagnostic in the Problems panel", async () => {
      await page.waitForSelector(`.squiggly-${spec.severity}`, { timeout: 60000 });
      await page.keyboard.press("Control+Shift+M");
      const row = page.locator(".markers-panel .monaco-list-row", { hasText: spec.problemText });
      await row.first().waitFor({ timeout: 30000 });
      result.problemIcon = await row.first().locator(".codicon-error, .codicon-warning, .codicon-info").first()
        .evaluate((e) => [...e.classList].find((c) => /^codicon-(error|warning|info)$/.test(c)));
      return text(await row.first().innerText());
    });
    log(`problem row: ${result.problem}`);

    result.hover = await step("hover (Ctrl+K Ctrl+I)", async () => {
      await goTo(page, spec.hover.line, spec.hover.col);
      const t = await hoverText(page, spec.hover.expect);
      await page.waitForTimeout(400); // hover fade-in, for the screenshot only
      result.screenshot = await shot("problems-and-hover.png");
      result.notifications = await notifications(page);
      await page.keyboard.press("Escape");
      return t;
    });
    log(`hover: ${result.hover}`);

    if (spec.settingsChange) {
      await step("settings change reaches the server", async () => {
        // Write workspace settings (.vscode/settings.json) as the Settings editor would; VS Code
        // notices the file, the client tells the server, the server re-publishes.
        const file = spec.settingsChange.file;
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, JSON.stringify(spec.settingsChange.set, null, 2));
        await page.waitForSelector(`.squiggly-${spec.settingsChange.severity}`, { timeout: 30000 });
      });
    }

    result.completion = await step("completion (Ctrl+Space)", async () => {
      await goTo(page, spec.complete.line, 1);
      await page.keyboard.press("End");
      await page.keyboard.press("Enter");
      // The quote auto-closes (language-configuration.json), so the cursor stays inside the string.
      await page.keyboard.type(spec.complete.type, { delay: 30 });
      await page.waitForTimeout(300);
      await page.keyboard.press("Control+Space");
      const item = page.locator(".suggest-widget .monaco-list-row", { hasText: spec.complete.accept });
      await item.first().waitFor({ timeout: 20000 });
      const offered = text(await page.locator(".suggest-widget .monaco-list").innerText());
      await shot("completion.png");
      await item.first().click();
      await page.waitForSelector(".suggest-widget", { state: "hidden" }).catch(() => {});
      await page.waitForTimeout(300);
      const buffer = await editorText(page);
      if (!buffer.includes(spec.complete.expect)) {
        throw new Error(`after accepting '${spec.complete.accept}' the buffer lacks ${spec.complete.expect}:\n${buffer}`);
      }
      return { offered, buffer };
    });

    result.quickfix = await step("quick fix (Ctrl+.)", async () => {
      await goTo(page, spec.legacy.line, spec.legacy.col);
      await page.keyboard.press("Control+.");
      const action = page.locator(".action-widget .monaco-list-row", { hasText: spec.quickfix.title });
      await action.first().waitFor({ timeout: 20000 });
      await shot("quickfix-menu.png");
      // Choose with the keyboard, as the menu expects: move the focus to the action, then Enter.
      const focused = page.locator(".action-widget .monaco-list-row.focused");
      for (let i = 0; i < 10; i++) {
        if ((await focused.getAttribute("aria-label").catch(() => "")) === spec.quickfix.title) break;
        await page.keyboard.press("ArrowDown");
      }
      if ((await focused.getAttribute("aria-label")) !== spec.quickfix.title) {
        throw new Error(`cannot focus '${spec.quickfix.title}' in the quick-fix menu`);
      }
      await page.keyboard.press("Enter");
      await page.waitForSelector(".action-widget", { state: "hidden" }).catch(() => {});
      await page.keyboard.press("Control+S");
      const deadline = Date.now() + 20000;
      let onDisk = "";
      while (Date.now() < deadline) {
        onDisk = fs.readFileSync(spec.file, "utf8");
        if (onDisk.includes(spec.quickfix.expect) && onDisk.includes(spec.complete.expect)) break;
        await page.waitForTimeout(200);
      }
      if (!onDisk.includes(spec.quickfix.expect)) {
        throw new Error(`the saved file lacks ${spec.quickfix.expect} after the quick fix:\n${onDisk}`);
      }
      return { onDisk };
    });

    result.hoverAfterFix = await step("hover on the migrated DepURL", async () => {
      await goTo(page, spec.legacy.line, spec.legacy.col);
      const t = await hoverText(page, spec.hoverAfterFix.expect);
      await shot("after-fix.png");
      await page.keyboard.press("Escape");
      return t;
    });
    log(`hover after fix: ${result.hoverAfterFix}`);
    result.ok = true;
  } catch (err) {
    result.ok = false;
    result.error = String(err && err.stack || err);
    try { result.failureShot = await shot("failure.png"); } catch { /* browser gone */ }
  } finally {
    await browser.close();
    console.log("RESULT " + JSON.stringify(result));
    log(result.ok ? "all steps passed" : `FAILED: ${result.error}`);
    process.exit(result.ok ? 0 : 1);
  }
})();
