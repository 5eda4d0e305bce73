-- A task's draw must be the one its own freeze made. A standalone CLI draw (a code that is not a
-- task yet) could otherwise be frozen, even run, under the code a planned task will get
-- (plan number + task number are predictable) and then pass for that task's draw.
CREATE TRIGGER task_code_no_planted_draw BEFORE INSERT ON task
WHEN EXISTS (SELECT 1 FROM draw WHERE task_code = NEW.code)
BEGIN SELECT RAISE(ABORT, '已有使用该任务编号的抽取记录（不是由本任务冻结的），任务不能以此编号开始；请联系管理员核查审计日志'); END;
