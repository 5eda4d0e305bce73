// e2e.mjs - what a new user does in Chromium with the demo data: log in, search targets, edit an
// officer and see the version history, import a file with a bad row and see the report, use the
// site on a phone-sized screen, visit the public portal, log out. Screenshots of the main pages.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { base, shots, check, step, launch, finish } from './harness.mjs';

const browser = await launch();
const page = await (await browser.newContext({ viewport: { width: 1280, height: 860 } })).newPage();
const consoleErrors = [];
// document responses with 4xx statuses (a rejected login, a form with errors) are expected and
// logged by Chromium as "Failed to load resource"; sub-resources must all load
page.on('console', m => { if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) consoleErrors.push(m.text()); });
page.on('response', r => { if (['stylesheet', 'script', 'image', 'font'].includes(r.request().resourceType()) && r.status() >= 400) consoleErrors.push(`${r.status()} ${r.url()}`); });
page.on('pageerror', e => consoleErrors.push(e.message));

// A separate browser session logged in as `user` (each role in its own context, as in real life).
async function as(user) {
  const p = await (await browser.newContext({ viewport: { width: 1280, height: 860 } })).newPage();
  p.on('dialog', d => d.accept());
  p.on('pageerror', e => consoleErrors.push(e.message));
  await p.goto(base + '/login');
  await p.fill('#username', user);
  await p.fill('#password', 'spotcheck-demo');
  await p.click('button[type=submit]');
  await p.waitForURL(base + '/');
  return p;
}

await step('login', async () => {
  await page.goto(base + '/');
  check('anonymous visitor is sent to the login page', page.url().includes('/login'));
  await page.screenshot({ path: join(shots, 'login.png') });
  await page.fill('#username', 'staff');
  await page.fill('#password', 'wrong-password');
  await page.click('button[type=submit]');
  check('wrong password shows an error', (await page.textContent('body')).includes('用户名或密码错误'));
  await page.fill('#username', 'staff');
  await page.fill('#password', 'spotcheck-demo');
  await page.click('button[type=submit]');
  await page.waitForURL(base + '/');
  check('logged in to the dashboard', (await page.textContent('main')).includes('宁晋县医疗保障局'));
  await page.screenshot({ path: join(shots, 'home.png'), fullPage: true });
});

await step('search targets', async () => {
  await page.click('nav.sidenav >> text=检查对象名录库');
  await page.waitForURL(/\/d\/targets/);
  await page.fill('input[name=q]', '人民医院');
  await page.click('form.filter-bar button[type=submit]');
  await page.waitForURL(/q=/);
  const rows = await page.locator('#dir-table tbody tr').allTextContents();
  check('search finds the county hospital', rows.some(r => r.includes('宁晋县人民医院')), rows.slice(0, 3).join('|'));
  check('search result is narrow', rows.length < 10, String(rows.length));
  await page.goto(base + '/d/targets?kind=pharmacy&grade=D');
  const d = await page.locator('#dir-table tbody tr').allTextContents();
  check('filters: only grade-D pharmacies', d.length > 0 && d.every(r => r.includes('定点零售药店') && r.includes('D')), d[0]);
  await page.goto(base + '/d/targets?kind=insured');
  await page.click('a[rel=next]');
  check('paging to the second page', page.url().includes('after='));
  await page.screenshot({ path: join(shots, 'targets.png'), fullPage: true });
});

await step('edit an officer and see the version history', async () => {
  await page.goto(base + '/d/officers');
  await page.locator('#dir-table tbody tr').first().locator('a').first().click();
  await page.waitForURL(/\/d\/officers\/\d+$/);
  const detail = page.url();
  await page.click('a:has-text("编辑")');
  await page.fill('#f-phone', '13800000000');
  await page.fill('#f-cert_valid_to', '2029-06-30');
  await page.click('button:has-text("保存")');
  await page.waitForURL(/ok=saved/);
  const text = await page.textContent('main');
  check('saved message shown', text.includes('已保存'));
  check('version history lists the change', (await page.textContent('#history')).includes('证件有效期至'));
  check('detail shows version 2', text.includes('当前版本 2'));
  await page.screenshot({ path: join(shots, 'officer-history.png'), fullPage: true });
  await page.goto(detail + '/edit');
  await page.fill('#f-cert_valid_to', '2001-01-01');
  await page.click('button:has-text("保存")');
  check('field-level error for an expiry before the start', (await page.textContent('.field.has-error')).includes('早于'));
  await page.screenshot({ path: join(shots, 'officer-form-error.png'), fullPage: true });
});

await step('import a file with a bad row', async () => {
  const csv = join(process.env.TMPDIR, 'bad-targets.csv');
  writeFileSync(csv, '对象类型,名称,统一社会信用代码,所属机构,行政区划\n用人单位,新公司甲,91620105L015101280,130528,130528\n用人单位,新公司乙,91110000600037341N,130528,130528\n');
  await page.goto(base + '/d/targets/import');
  await page.setInputFiles('#file', csv);
  await page.click('button:has-text("上传并导入")');
  await page.waitForSelector('#import-report');
  const report = await page.textContent('#import-report');
  check('report names the bad row and column', report.includes('第3行 统一社会信用代码'), report.slice(0, 200));
  check('report says nothing was imported', report.includes('未写入任何数据'));
  await page.screenshot({ path: join(shots, 'import-report.png'), fullPage: true });
  await page.goto(base + '/d/targets?q=新公司甲');
  check('the good row was not imported either', (await page.textContent('#dir-table')).includes('没有符合条件的记录'));
});

await step('phone screen', async () => {
  const phone = await browser.newContext({ viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true });
  const p = await phone.newPage();
  await p.goto(base + '/login');
  await p.fill('#username', 'officer');
  await p.fill('#password', 'spotcheck-demo');
  await p.click('button[type=submit]');
  await p.waitForURL(base + '/');
  const fits = await p.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1);
  check('no horizontal page scroll on a phone', fits);
  await p.screenshot({ path: join(shots, 'phone-home.png'), fullPage: true });
  await p.goto(base + '/public/items');
  check('public list fits the phone (table scrolls inside its box)', await p.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1));
  await p.screenshot({ path: join(shots, 'phone-public-items.png'), fullPage: true });
  await phone.close();
});

await step('public portal', async () => {
  await page.goto(base + '/public/items');
  const t = await page.textContent('main');
  check('published item list visible', t.includes('对定点医药机构医疗保障基金使用情况的监督检查'));
  await page.screenshot({ path: join(shots, 'public-items.png'), fullPage: true });
});

await step('log out', async () => {
  await page.goto(base + '/');
  await page.click('.logout-form button');
  await page.waitForURL(/\/login/);
  check('logged out', (await page.textContent('body')).includes('已退出'));
  await page.goto(base + '/d/targets');
  check('pages need login again', page.url().includes('/login'));
});

await step('annual plan: the seed example row from draft to the public portal', async () => {
  // the 检查科室 drafts, the 分管领导 returns it with an opinion, then approves; the 检查科室 publishes
  const st = await as('staff');
  await st.click('nav.sidenav >> text=年度抽查计划');
  await st.click('text=新建计划');
  await st.fill('#f-year', '2025');
  await st.fill('#f-qualifier', '定点医疗机构');
  await st.click('form.card button[type=submit]');
  await st.waitForURL(/\/plans\/\d+\?ok=created/);
  const planUrl = st.url().split('?')[0];
  check('plan named by the rule', (await st.textContent('main')).includes('2025年宁晋县医疗保障局定点医疗机构随机抽查001'));
  await st.click('text=新增抽查任务');
  await st.fill('#f-task_no', '001号');
  await st.fill('#f-name', '2025年邢台市医疗保障局定点医疗机构随机抽查工作方案');
  await st.selectOption('#f-kind', '定向');
  await st.fill('#f-ratio', '10%');
  await st.check('input[name=items][value="NJ-2025-04"]');
  await st.fill('#f-items_text', '对用人单位和个人遵守医疗保障法律、法规情况进行监督检查；对定点医药机构基金使用情况飞检；对定点医疗机构日常监督');
  await st.check('input[name=scope_kinds][value=institution]');
  await st.fill('#f-scope_text', '市本级定点医疗机构');
  await st.selectOption('#f-lead_dept', '基金监管股');
  await st.check('input[name=joint_depts][value="宁晋县市场监督管理局"]');
  await st.fill('#f-period', '2025年3月至10月');
  await st.fill('#f-level', '市本级');
  await st.screenshot({ path: join(shots, 'plan-task-form.png'), fullPage: true });
  await st.click('form.card button[type=submit]');
  await st.waitForURL(/\/plans\/\d+\?ok=saved/);
  const row = await st.textContent('#plan-tasks');
  check('the task row shows the 附件2 columns', row.includes('定向抽查') && row.includes('10%') && row.includes('2025年3月至10月') && row.includes('未匹配事项清单'));
  await st.click('#btn-submit');
  await st.waitForURL(/ok=status/);
  const ld = await as('leader');
  await ld.goto(planUrl);
  await ld.fill('#return-opinion', '请补充联合科室的分工');
  await ld.click('#btn-return');
  await ld.waitForURL(/ok=status/);
  await st.goto(planUrl);
  check('staff sees the return opinion', (await st.textContent('main')).includes('请补充联合科室的分工'));
  await st.click('#btn-submit');
  await st.waitForURL(/ok=status/);
  await ld.goto(planUrl);
  await ld.click('#btn-approve');
  await ld.waitForURL(/ok=status/);
  await st.goto(planUrl);
  await st.click('#btn-publish');
  await st.waitForURL(/ok=status/);
  check('published', (await st.textContent('main')).includes('现行版本'));
  await st.screenshot({ path: join(shots, 'plan-detail.png'), fullPage: true });
  await st.goto(base + '/public/plans');
  check('on the public portal', (await st.textContent('main')).includes('2025年宁晋县医疗保障局定点医疗机构随机抽查001'));
  await st.click('text=2025年宁晋县医疗保障局定点医疗机构随机抽查001');
  check('public plan page shows the row', (await st.textContent('#plan-tasks')).includes('市本级定点医疗机构'));
  await st.screenshot({ path: join(shots, 'public-plan.png'), fullPage: true });
});

await step('task: scheme approved and published, joint confirmation, draw ceremony, substitution, notice, public verification', async () => {
  // continues from the published plan row of the previous step (demo data, 宁晋县)
  let st = await as('staff');
  await st.click('nav.sidenav >> text=抽查任务实施');
  await st.click('#startable >> tr:has-text("2025年邢台市医疗保障局定点医疗机构随机抽查工作方案") >> button');
  await st.waitForURL(/\/tasks\/\d+\?ok=created/);
  const taskUrl = st.url().split('?')[0], tid = taskUrl.split('/').pop();
  check('task started from the published row, joint dept to confirm', (await st.textContent('#joints')).includes('待确认'));
  await st.fill('#s-purpose', '规范定点医疗机构医保基金使用');
  await st.fill('#s-period', '2025年6月1日至6月30日');
  await st.fill('#s-method', '实地检查、书面检查');
  await st.fill('#s-mat', '近一年医保结算清单、药品进销存台账');
  await st.fill('#s-contact', '基金监管股 0319-0000000');
  // the scheme names a 福彩3D draw two days on (after the freeze, which must come 24 hours before it)
  // and the observers' dice; the server's day is process.env.SPOTCHECK_TODAY (tests/e2e/run.sh)
  const day0 = new Date(`${process.env.SPOTCHECK_TODAY}T12:00:00Z`);
  const plus = n => new Date(day0.getTime() + n * 86400000).toISOString().slice(0, 10);
  const doy = d => String(Math.round((new Date(`${d}T12:00:00Z`) - new Date(`${d.slice(0, 4)}-01-01T12:00:00Z`)) / 86400000) + 1).padStart(3, '0');
  await st.selectOption('#src-kind0', 'fc3d');
  await st.fill('#src-issue0', plus(2).slice(0, 4) + doy(plus(2)));
  await st.fill('#src-date0', plus(2));
  await st.selectOption('#src-kind1', 'dice');
  await st.fill('#src-count1', '8');
  await st.fill('#s-src', '福彩3D 开奖号码，另由观察员现场掷 8 枚骰子');
  await st.fill('#s-obs0', '钱律师');
  await st.fill('#s-obs1', '孙代表');
  await st.click('#btn-scheme-save');
  await st.waitForURL(/ok=saved/);
  await st.click('#btn-scheme-submit');
  await st.waitForURL(/ok=status/);
  const ld = await as('leader');
  await ld.goto(taskUrl);
  await ld.click('#btn-scheme-approve');
  await ld.waitForURL(/ok=status/);
  await st.goto(taskUrl);
  await st.click('#btn-scheme-publish');
  await st.waitForURL(/ok=status/);
  check('published scheme waits for the joint dept before the draw', (await st.textContent('#why-not')).includes('尚未确认'));
  const jt = await as('joint');
  for (const width of [1366, 390]) { // the joint dept's to-do and its items picked from the item list
    await jt.setViewportSize({ width, height: 860 });
    await jt.goto(base + '/');
    check(`${width} px: the joint dept's home lists the confirmation due`, await jt.locator('#todo a[href^="/joint"]').count() > 0,
      await jt.textContent('#todo'));
    await jt.goto(base + '/joint');
    const box = await jt.locator(`#j-list-${tid} input`).first().boundingBox();
    check(`${width} px: the dept's entries of the item list to tick, on the screen`, box && box.x >= 0 && box.x + box.width <= width
      && await jt.evaluate(() => document.documentElement.scrollWidth) <= width + 1, JSON.stringify(box));
  }
  const picked = (await jt.locator(`#j-list-${tid} label`).first().textContent()).trim();
  await jt.locator(`#j-list-${tid} input`).first().check();
  await jt.fill(`#j-items-${tid}`, '价格行为检查');
  await jt.click(`#btn-joint-confirm-${tid}`);
  await jt.waitForURL(/ok=saved/);
  check('390 px: confirmed with the item picked from the list and the one typed', (await jt.textContent('main')).includes(picked)
    && (await jt.textContent('main')).includes('价格行为检查'), picked);
  await st.goto(taskUrl);
  await st.click('#btn-freeze');
  await st.waitForURL(/\/draw\?ok=status/);
  check('ceremony shows the frozen population digest', (await st.textContent('#pop-sha')).length === 64);
  await st.screenshot({ path: join(shots, 'ceremony-frozen.png'), fullPage: true });
  check('the ceremony asks one value per declared source', await st.isVisible('#d-value0') && await st.isVisible('#d-value1'));
  // the observers' dice are thrown and recorded before the lottery; afterwards they could be chosen
  await st.fill('#dice0', '3615224 1');
  await st.click('#btn-dice');
  await st.waitForURL(/\/draw\?ok=status/);
  check('the dice are recorded before the lottery', (await st.textContent('#dice-recorded')).includes('开奖前登记'));
  writeFileSync(process.env.CLOCK_FILE, `${plus(3)} 10:00:00\n`); // three days on: the lottery has been drawn
  const drawUrl = st.url().split('?')[0];
  st = await as('staff'); // three days later the idle session has expired: log in again
  await st.goto(drawUrl);
  await st.fill('#d-value0', '385');
  check('the draw form holds the recorded dice, read-only', await st.inputValue('#d-value1') === '36152241'
    && !(await st.isEditable('#d-value1')));
  await st.click('#btn-draw');
  await st.waitForURL(/\/draw\?ok=status/);
  check('result at once, then locked', await st.isVisible('#locked') && (await st.textContent('#tickets')).includes('0.'));
  await st.screenshot({ path: join(shots, 'ceremony-drawn.png'), fullPage: true });
  const cert = (await st.textContent('#groups tbody tr:first-child td:nth-child(4)')).match(/（([A-Z0-9]+)）/)[1];
  await st.fill('#sub-officer', cert);
  await st.selectOption('#sub-code', '新发现的利害关系');
  await st.fill('#sub-reason', '与负责人系近亲属');
  await st.click('#btn-substitute');
  await st.waitForURL(/ok=saved/);
  check('the substitution request waits for the leader', (await st.textContent('#substitution-requests')).includes('待审批'));
  const ldr = await as('leader');
  await ldr.goto(drawUrl);
  await ldr.click('#substitution-requests button[id^="btn-sub-approve-"]');
  await ldr.waitForURL(/ok=saved/);
  await st.goto(drawUrl);
  check('approved: substitution recorded with its reason', (await st.textContent('#events')).includes('新发现的利害关系：与负责人系近亲属'));
  await st.click('#groups tbody tr:first-child >> text=检查通知书');
  check('inspection notice: a preview first', (await st.textContent('.notice-doc')).includes('检查通知书') && await st.isVisible('#notice-preview'));
  await st.click('#issue-form button[type=submit]');
  await st.waitForURL(/ok=issued/);
  const docNo = await st.textContent('.notice-doc .doc-no');
  check('inspection notice issued with its 文号, 组长 first', /检〔\d{4}〕\d+号/.test(docNo)
        && (await st.textContent('.notice-members tbody tr:first-child')).includes('组长'), docNo);
  await st.emulateMedia({ media: 'print' });
  await st.screenshot({ path: join(shots, 'notice-print.png'), fullPage: true });
  await st.emulateMedia({ media: 'screen' });
  for (const width of [1366, 390]) { // the groups' pager and search on a desktop and on a phone
    await st.setViewportSize({ width, height: 860 });
    await st.goto(drawUrl);
    const pager = await st.locator('#group-pager').boundingBox();
    check(`${width} px: the groups' pager is shown within the screen`, pager && pager.x >= 0 && pager.x + pager.width <= width + 1
      && (await st.textContent('#pager-info')).match(/第 1 \/ \d+ 页，共 \d+ 组/), JSON.stringify(pager));
    check(`${width} px: no horizontal page scroll`, await st.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1));
    const code = (await st.textContent('#groups tbody tr:first-child td:nth-child(2) .mono')).trim();
    await st.fill('#group-q', code);
    await st.click('#group-search-btn');
    await st.waitForURL(/[?&]q=/);
    check(`${width} px: the search by code finds its group`, await st.locator('#groups tbody tr').count() === 1
      && (await st.textContent('#pager-info')).includes('共 1 组') && await st.isVisible('#group-search-clear'));
    await st.screenshot({ path: join(shots, `draw-groups-${width}.png`), fullPage: false });
    await st.click('#group-search-clear');
    await st.waitForURL(u => !u.search.includes('q='));
  }
  await st.setViewportSize({ width: 1280, height: 860 });
  await st.goto(base + `/public/tasks/${tid}`);
  check('public page with how to verify', (await st.textContent('#how-to-verify')).includes('python3 verify_draw.py'));
  check('public page keeps the drawn targets confidential until checked', (await st.textContent('#pub-withheld')).includes('已公开 0 个'));
  check('... and offers no download yet', (await st.locator('#dl-record').count()) === 0);
  await st.screenshot({ path: join(shots, 'public-task.png'), fullPage: true });
  const dir = process.env.TMPDIR || '/tmp';
  for (const k of ['record', 'population', 'officers']) {
    const pub = await fetch(base + `/public/tasks/${tid}/${k}`);
    check(`the public ${k} download waits (保密)`, pub.status === 404);
    const res = await st.request.get(base + `/tasks/${tid}/draw/${k}`); // the staff's internal download
    check(`the staff download ${k}`, res.status() === 200);
    writeFileSync(join(dir, `${k}.dl`), await res.body());
  }
  const { spawnSync } = await import('node:child_process');
  const v = spawnSync('python3', [new URL('../../tools/verify_draw.py', import.meta.url).pathname, join(dir, 'record.dl'), join(dir, 'population.dl'), join(dir, 'officers.dl')], { encoding: 'utf8' });
  check('the record verifies with tools/verify_draw.py', v.status === 0 && v.stdout.startsWith('一致'), v.stdout + v.stderr);
});

check('no JavaScript or CSP errors in the console', consoleErrors.length === 0, consoleErrors.join(' | '));
await finish(browser);
