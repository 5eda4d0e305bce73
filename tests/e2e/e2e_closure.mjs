// e2e_closure.mjs - from review to closure in Chromium, after e2e_record.mjs submitted a record (未发现问题)
// in the demo database on the same server: the 分管领导 (leader) returns it with an opinion, the
// officer on a phone reads the opinion, records the finding and a violation and resubmits, the leader
// approves, staff publish it, open a 行政处罚 follow-up and publish the decision; then the year's
// figures (SVG charts), the deadlines dashboard with its overdue list, and the public portal showing
// the result without personal data. Screenshots closure-*.png.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { base, shots, check, step, launch, finish, login, watchErrors } from './harness.mjs';

const browser = await launch();
const consoleErrors = [], dialogs = [];
async function open(user, phone) {
  const context = await browser.newContext(phone
    ? { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true }
    : { viewport: { width: 1366, height: 900 } });
  const page = await context.newPage();
  page.on('dialog', d => { dialogs.push(d.message()); d.accept(); });
  watchErrors(page, user, consoleErrors);
  if (user) await login(page, user);
  return page;
}
// the server's day (tests/e2e/run.sh pins it), not the browser's time zone
const today = process.env.SPOTCHECK_TODAY ? new Date(`${process.env.SPOTCHECK_TODAY}T12:00:00`) : new Date();
const iso = d => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
const opinion = '现场发现串换药品，请补录检查结果和违规情形';
// the record e2e_record.mjs submitted (the demo county has records of its own in the queue)
let rid = readFileSync(join(process.env.TMPDIR, 'e2e-record-id'), 'utf8').trim(), targetName = '', targetCode = '', fid = '';

const leader = await open('leader', false);
const officer = await open('officer', true);
const staff = await open('staff', false);

await step('leader returns the submitted record with an opinion', async () => {
  await leader.goto(base + '/review');
  const link = leader.locator(`#review-queue a[href="/review/${rid}"]`);
  check('the review queue lists the submitted record', await link.count() === 1, rid);
  const row = await leader.locator('#review-queue tbody tr', { has: leader.locator(`a[href="/review/${rid}"]`) }).textContent();
  // who submitted it, by the account's name (执法人员 in the demo), not its login id
  check('the review queue lists the officer\'s record, by name', row.includes('执法人员') && !row.includes('officer'), row);
  await link.click();
  await leader.waitForURL(new RegExp(`/review/${rid}$`));
  check('the review page shows the items and both buttons', await leader.isVisible('#record-items') && await leader.isVisible('#btn-return')
        && await leader.isVisible('#btn-approve'));
  await leader.click('#btn-return');   // without an opinion: refused (the browser or the server)
  check('returning without an opinion is refused', (await leader.textContent('#record-status')).includes('待审核'));
  await leader.fill('#opinion', opinion);
  await leader.click('#btn-return');
  await leader.waitForURL(/\/review\?ok=returned/);
  await leader.goto(base + `/review/${rid}`);
  check('the record is 退回 with the opinion', (await leader.textContent('#record-status')).includes('退回')
        && (await leader.textContent('main')).includes(opinion));
  await leader.screenshot({ path: join(shots, 'closure-returned.png'), fullPage: true });
});

await step('officer on a phone reads the opinion, fixes and resubmits', async () => {
  await officer.goto(base + '/my/records');
  check('the list shows 退回', (await officer.textContent('#my-records')).includes('退回'));
  await officer.goto(base + `/my/records/${rid}`);
  check('the opinion is shown on the form', (await officer.textContent('main')).includes(opinion));
  await officer.screenshot({ path: join(shots, 'closure-officer-opinion.png'), fullPage: false });
  targetName = (await officer.textContent('h1')).replace(/^.*：/, '').trim();
  await officer.locator('input[name=result_codes][value="01"]').uncheck();
  await officer.locator('input[name=result_codes][value="0201"]').check();
  const first = officer.locator('.record-item').first();
  await first.locator('input[value="01"]').uncheck();
  await first.locator('input[value="0201"]').check();
  await officer.selectOption('#v-cat-0', '38(4)');
  await officer.fill('#v-amt-0', '3,200.00');
  await officer.selectOption('#v-item-0', '1');
  await officer.fill('#v-desc-0', '串换药品 5 笔');
  await officer.fill('#r-remarks', '责令退回违规金额');
  const width = await officer.evaluate(() => document.documentElement.scrollWidth);
  check('no horizontal scrolling on the phone', width <= 392, String(width));
  await officer.click('#btn-submit');
  await officer.waitForURL(/\/my\/records\?ok=status/);
  check('resubmitted: 待审核 again', (await officer.textContent('#my-records')).includes('待审核'));
  await officer.screenshot({ path: join(shots, 'closure-officer-resubmitted.png'), fullPage: true });
});

await step('leader approves', async () => {
  await leader.goto(base + `/review/${rid}`);
  check('the fixed record shows the violation', (await leader.textContent('#record-violations')).includes('38(4)'));
  // e2e_record.mjs dated the check after the task's period, with a 超期说明: the reviewer sees it
  check('the review shows the 超期说明 of the check dates', (await leader.textContent('#dates-reason')).includes('停业整顿'));
  await leader.click('#btn-approve');
  await leader.waitForURL(/\/review\?ok=approved/);
  await leader.goto(base + `/review/${rid}`);
  check('the record is 审核通过', (await leader.textContent('#record-status')).includes('审核通过'));
});

await step('staff publish the result', async () => {
  await staff.goto(base + '/results');
  check('the approved record waits for publication', (await staff.textContent('#pending')).includes(targetName), targetName);
  await staff.goto(base + `/results/${rid}`);
  const asked = dialogs.length;
  await staff.click('#btn-publish');
  await staff.waitForURL(/ok=/);
  check('publishing asked once, saying what becomes public and that it cannot be withdrawn',
        dialogs.length === asked + 1 && dialogs[asked].includes('检查对象') && dialogs[asked].includes('不能撤回'), dialogs.slice(asked).join(' | '));
  check('published', (await staff.textContent('#published')).includes(targetName));
  await staff.screenshot({ path: join(shots, 'closure-published.png'), fullPage: true });
});

await step('staff open a 行政处罚 follow-up and publish the decision', async () => {
  await staff.goto(base + '/followups');
  await staff.click(`#pending a[href="/followups/new?record=${rid}"]`);
  await staff.waitForURL(/\/followups\/new/);
  await staff.selectOption('#f-option', 'penalty');
  await staff.fill('#f-dno', '宁医保罚〔2026〕21号');
  await staff.fill('#f-don', iso(today));
  await staff.fill('#f-amount', '3,200.00');
  await staff.click('#followup-form button[type=submit]');
  await staff.waitForURL(/\/followups\/\d+/);
  fid = staff.url().split('?')[0].split('/').pop();
  check('follow-up opened', (await staff.textContent('#status')).includes('未完结'));
  const before = dialogs.length;
  await staff.click('#publish-form button[type=submit]');
  await staff.waitForURL(/\/followups\/\d+/);
  check('penalty publication asked once with its summary (文号, 罚没金额) and that it cannot be withdrawn',
        dialogs.length === before + 1 && dialogs[before].includes('宁医保罚〔2026〕21号') && dialogs[before].includes('罚没金额')
        && dialogs[before].includes('不能撤回'), dialogs.slice(before).join(' | '));
  check('decision published in time', (await staff.textContent('#clock-publish')).includes('已公示') && !(await staff.isVisible('#publish-late')),
        await staff.textContent('#clock-publish'));
  await staff.screenshot({ path: join(shots, 'closure-followup.png'), fullPage: true });
});

await step('the year\'s figures with SVG charts, the dashboard with the overdue list', async () => {
  await staff.goto(base + '/figures');
  const charts = staff.locator('#figures-charts svg');
  check('figures: SVG charts visible', await charts.count() > 0 && await charts.first().isVisible(), String(await charts.count()));
  const counts = await staff.textContent('#figures-counts');
  check('figures count the check', /抽查/.test(counts), counts);
  await staff.screenshot({ path: join(shots, 'closure-figures.png'), fullPage: true });
  await staff.goto(base + '/dashboard');
  const overdue = staff.locator('#overdue table tbody tr');
  check('dashboard: an overdue list', await overdue.count() > 0, String(await overdue.count()));
  // checked on the day of its draw and entered the same day: done, in time (a check cannot precede its draw)
  const onTime = await staff.locator('#dash-counts tr[data-kind="entry"] td[data-state="done_on_time"]').textContent();
  const late = await staff.locator('#dash-counts tr[data-kind="entry"] td[data-state="done_late"]').textContent();
  check('dashboard: the record\'s entry counted as done', Number(onTime) + Number(late) >= 1, `${onTime} in time, ${late} late`);
  await staff.screenshot({ path: join(shots, 'closure-dashboard.png'), fullPage: true });
  await staff.goto(base + '/dashboard/overdue?by=officer');
  check('overdue per officer', (await staff.textContent('main')).includes('检查结果录入'));
});

await step('the task\'s 执法检查报告 on a desktop and a phone, with print and Excel', async () => {
  const rec = await (await staff.request.get(base + `/api/v1/records/${rid}`)).json();
  const tid = rec.task_id ?? rec.record?.task_id;
  await staff.goto(base + `/tasks/${tid}`);
  await staff.click('#link-report');
  await staff.waitForURL(new RegExp(`/tasks/${tid}/report$`));
  const published = Number(await staff.textContent('#report [data-k="published"]'));
  check('report: the published record counted', published >= 1, String(published));
  check('report: the penalty follow-up listed', (await staff.textContent('#report-followups')).includes('行政处罚'));
  check('report: print and Excel buttons', await staff.isVisible('#btn-print') && await staff.isVisible('#report-xlsx'));
  await staff.screenshot({ path: join(shots, 'closure-report.png'), fullPage: true });
  const phone = await open('staff', true);
  await phone.goto(base + `/tasks/${tid}/report`);
  const wide = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check('report on a phone: no sideways scrolling of the page', wide <= 1, String(wide));
  await phone.screenshot({ path: join(shots, 'closure-report-phone.png'), fullPage: true });
});

await step('the public portal shows the result without personal data', async () => {
  const pub = await open(null, true);
  await pub.goto(base + '/public/results');
  await pub.fill('#q', targetName);
  await pub.press('#q', 'Enter');
  await pub.waitForURL(/q=/);
  const link = pub.locator(`#public-results a[href="/public/results/${rid}"]`);
  check('found by name', await link.count() === 1, targetName);
  // on a phone every column of the row is on the screen: the rows become cards with their labels
  const wide = await pub.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  const res = await pub.locator('#public-results tbody tr:first-child td[data-label="结果"]').boundingBox();
  check('public results on a phone: no sideways scrolling, 结果 on screen', wide <= 1 && res && res.x >= 0
        && res.x + res.width <= 390 + 1, `${wide} ${JSON.stringify(res)}`);
  await pub.screenshot({ path: join(shots, 'closure-public-results-phone.png'), fullPage: true });
  await link.first().click();
  const text = await pub.textContent('#public-result');
  check('the five fields', ['检查实施机关', '类型', '日期', '结果', '备注'].every(k => text.includes(k)) && text.includes('责令退回违规金额'), text);
  const body = await pub.textContent('body');
  check('no grade, no ID number, no signer, no internal notes', !/等级|信用风险|院长甲|\d{17}[\dXx]/.test(body) && !body.includes('内部'), body.slice(0, 300));
  await pub.screenshot({ path: join(shots, 'closure-public-result.png'), fullPage: true });
  await pub.goto(base + '/public/penalties');
  check('public penalties list the decision', (await pub.textContent('main')).includes('宁医保罚〔2026〕21号'));
  await pub.screenshot({ path: join(shots, 'closure-public-penalties.png'), fullPage: true });
});

check('no JavaScript or CSP errors in the console', consoleErrors.length === 0, consoleErrors.join(' | '));
await finish(browser);
