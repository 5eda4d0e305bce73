/* main.c - spotcheck's one command table. Every administrative task and the server are
 * subcommands of the one binary; `spotcheck --help` lists them. */
#include "cli/cli.h"
#include "core/clock.h"
#include "core/util.h"
#include "domain/uow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const CliCommand cli_commands[] = {
    {"init", "创建数据库并应用迁移；--demo 载入演示数据",
     "用法: spotcheck init [--demo] [--db PATH]\n"
     "  创建数据库（默认 " CLI_DEFAULT_DB "）并应用全部迁移。\n"
     "  --demo   载入一个模拟县的演示数据（事项、约 2000 家定点医药机构、约 10000 家用人单位、\n"
     "           约 100000 名参保人、约 60 名执法人员、约 10 名专家）和演示账号。\n"
     "           数据库中已有名录数据时拒绝载入（退出码 1）。\n",
     cmd_init},
    {"serve", "启动 Web 服务",
     "用法: spotcheck serve [--listen ADDR:PORT] [--db PATH] [--per-ip-limit N] [--workers N]\n"
     "                      [--trusted-proxy ADDR[,ADDR…]]\n"
     "  启动 HTTP 服务，默认监听 127.0.0.1:8080。收到 SIGTERM/SIGINT 后完成进行中的请求再退出。\n"
     "  --per-ip-limit N  每个客户端地址最多同时保持的连接数（1–1024，默认 256；也可用环境变量\n"
     "                    SPOTCHECK_PER_IP_LIMIT 设置，命令行优先）。超出的连接收到 503 和\n"
     "                    Retry-After: 1（而不是被重置）。全部地址合计最多 1024 个连接。\n"
     "                    经反向代理接入时所有请求来自代理的地址，应相应调高。\n"
     "  --workers N       工作线程数（1–64，默认每个 CPU 核 4 个、至少 8 个；也可用环境变量\n"
     "                    SPOTCHECK_WORKERS 设置）。\n"
     "  --trusted-proxy A  反向代理（如 nginx）的 IPv4 地址，逗号分隔（也可用环境变量\n"
     "                    SPOTCHECK_TRUSTED_PROXY 设置）：来自这些地址的请求以 X-Forwarded-For\n"
     "                    的最后一个地址作为客户端地址（登录限制、审计日志、访问日志）。\n"
     "                    多个 serve 进程可共用一个数据库，见 docs/ARCHITECTURE.md。\n"
     "  检查记录的照片、视频和签名存放在数据库文件旁的 files 目录（PostgreSQL 时为当前目录下的\n"
     "  files）；环境变量 SPOTCHECK_FILES 可指定其他目录，多个 serve 进程须共用同一目录。\n",
     cmd_serve, 1},
    {"import", "从 CSV/XLSX 导入名录（一个事务，有错则全部不写入）",
     "用法: spotcheck import KIND FILE [--db PATH] [--encoding utf-8|gb18030] [--by USER]\n"
     "                        [--grade-reason 理由 --grade-basis 依据] [--errors 错误清单.csv]\n"
     "  KIND: orgs depts tags items targets officers experts\n"
     "  FILE: .csv（UTF-8，可带 BOM；或 GB18030/GBK，自动识别）或 .xlsx（读取第一个工作表）。\n"
     "  第一行为中文列名（与 export 导出的模板一致）。整个文件在一个事务中导入：\n"
     "  任何一行有错则不写入任何数据，并逐行报告 \"第N行 列名: 原因\"（表头为第1行）；\n"
     "  超过 1000 处时只列出前 1000 处和总数，--errors 把全部错误写入 CSV 文件（行号、错误）。\n"
     "  按编码更新已有记录，旧版本保留在历史中。改变已有检查对象信用风险等级的行须给出\n"
     "  --grade-reason 和 --grade-basis（如年度信用评价文号），每项调整记入该对象的信用记录。\n"
     "  退出码: 0 成功，1 数据有误未导入，2 用法错误。\n",
     cmd_import},
    {"export", "把名录导出为 CSV/XLSX（空库导出即导入模板）",
     "用法: spotcheck export KIND FILE [--db PATH] [--format csv|xlsx]\n"
     "  KIND: orgs depts tags items targets officers experts\n"
     "  格式按文件扩展名（.csv 为 UTF-8 带 BOM，.xlsx 为 Excel 工作簿），或由 --format 指定。\n"
     "  导出的文件可原样再导入。\n",
     cmd_export},
    {"user", "账号管理: add | link | disable | enable | passwd | grant | revoke | list",
     "用法:\n"
     "  spotcheck user add USERNAME --role ROLE --org CODE [--name 姓名] [--officer CERT] [--dept "
     "CODE]\n"
     "                     [--password-stdin] [--db PATH]\n"
     "      新建账号。执法人员账号以 --officer "
     "关联执法证号（关联后即可看到本人的检查组），联合部门账号\n"
     "      以 --dept 关联部门编码。用户名不区分大小写且唯一。\n"
     "  spotcheck user link USERNAME [--officer CERT] [--dept CODE]   关联（\"\" 为取消关联）\n"
     "  spotcheck user disable USERNAME --reason 原因                  停用账号并结束其全部会话\n"
     "  spotcheck user enable USERNAME                                  重新启用\n"
     "  spotcheck user passwd USERNAME [--password-stdin]               "
     "重设密码（该账号下次登录须修改密码）\n"
     "  spotcheck user grant|revoke USERNAME pii-export                 授予/收回个人信息导出权限\n"
     "  spotcheck user list [--org CODE]                                列出账号（含下级机构）\n"
     "  ROLE: admin(系统管理员) staff(检查科室) leader(分管领导) officer(执法人员)\n"
     "        joint(联合部门) supervisor(监督)\n"
     "  密码从标准输入读取一行（--password-stdin），或在终端提示输入：至少 10 "
     "个字符，不能与用户名相同，\n"
     "  不能是常见密码（data/common_passwords.txt）。每项变更写入审计日志（操作人 cli）。\n",
     cmd_user},
    {"backup", "在线备份数据库到文件",
     "用法: spotcheck backup FILE [--db PATH]\n"
     "  使用 SQLite 在线备份接口复制数据库，服务运行中也可执行。FILE 已存在时拒绝覆盖。\n",
     cmd_backup},
    {"refdata", "参考数据（检查结果类别、违规类别、处置方式、核查方式、行政区划、节假日）",
     "用法: spotcheck refdata load [SET] [--dir DIR] [--db PATH]\n"
     "       spotcheck refdata list [--db PATH]\n"
     "  load 从 DIR（默认 ./data）读取 SET.tsv（默认全部: result_categories violation_categories\n"
     "  disposal_options inspection_methods regions holidays），每个集合在一个事务中整体替换，\n"
     "  被替换的内容记入审计日志。文件有误时报告行号，不作任何修改（退出码 1）。\n"
     "  holidays "
     "是计算工作日期限用的国务院办公厅节假日安排：新一年的通知发布后追加该年日期再载入，\n"
     "  载入前按日历规则整份校验（年份连续、每年含元旦和国庆、调休上班只能在周末等）。\n"
     "  init 会为空集合载入程序内置的默认数据。\n",
     cmd_refdata},
    {"test-http", "从标准输入读取一个 HTTP 请求并输出响应（测试用）",
     "用法: spotcheck test-http [--db PATH] < request.txt\n"
     "  读取一个 HTTP/1.1 请求（请求行、头、按 Content-Length 的正文），交给与 serve 相同的\n"
     "  路由处理，把完整响应写到标准输出。无需网络端口，供路由测试使用。\n",
     cmd_test_http, 1},
    {"routes", "列出 Web 路由表及各角色权限（权限矩阵测试使用）",
     "用法: spotcheck routes\n"
     "  每行一个路由: route<TAB>方法<TAB>路径<TAB>所需权限<TAB>CSRF 级别<TAB>说明；\n"
     "  然后每个角色一行: role<TAB>角色<TAB>权限…。kind.write 按 :kind 解析为\n"
     "  ref.write（orgs depts tags）或 dir.write（其余名录）。\n",
     cmd_routes},
    {"sample", "一致抽样：从标准输入读取编码，按票号输出抽取顺序",
     "用法: spotcheck sample --seed SEED [--take N]\n"
     "  从标准输入逐行读取编码（空行忽略，编码不得重复），按 Rivest 一致抽样算法输出\n"
     "  \"票号<TAB>编码\"，票号为完整精度，与 consistent_sampler 的\n"
     "  sampler(ids, seed=SEED, output='tuple', digits=78) 相同。--take N 只输出前 N 个。\n"
     "  用于公众手工核对某一分层的抽取结果（种子见抽取记录的 seed 字段）。\n",
     cmd_sample, 1},
    {"verify", "核验抽取记录：重算抽取并报告一致或差异",
     "用法: spotcheck verify RECORD.json [POPULATION.tsv] [OFFICERS.tsv] [--freeze SHA256]\n"
     "  按 docs/DRAW.md "
     "重算抽取：核对名单文件摘要、随机数来源及其时间（旧记录：秘密承诺）、种子、\n"
     "  各层数量、抽中对象及票号、检查组分配和递补。一致时输出“一致”（退出码 "
     "0），否则输出“不一致”\n"
     "  及每一处差异（退出码 1）。未提供名单或人员文件时只做部分核验：输出“部分核验”（退出码 "
     "2）。\n"
     "  --freeze 为抽取前公告中的冻结摘要，用于确认冻结内容未被改动；未提供时在标准错误输出提示。\n"
     "  对尚未抽取的冻结记录（draw show 导出）核对名单文件与冻结摘要，并列出各分层的应抽取数。\n",
     cmd_verify},
    {"draw", "摇号: conflict | freeze | dice | run | substitute | redraw | show",
     "用法:\n"
     "  spotcheck draw conflict --task CODE --officer CERT --target ID --reason TEXT --by USER\n"
     "      "
     "回避：抽查任务冻结名单之前申报执法人员与检查对象的利害关系；随名单冻结，抽取时不把该人员\n"
     "      分到该对象的检查组。申报后不能修改或撤回；冻结后发现的，在摇号现场申请递补并经批准。\n"
     "  spotcheck draw freeze --task CODE --sources JSON [--date YYYY-MM-DD] [参数] [--db PATH]\n"
     "      "
     "冻结：按筛选条件生成名单文件和人员文件，连同公开随机数来源写入冻结记录（spotcheck-draw/"
     "2）。\n"
     "      JSON 为来源数组，如 "
     "'[{\"kind\":\"fc3d\",\"issue\":\"2026330\",\"date\":\"2026-12-07\"},\n"
     "      {\"kind\":\"dice\",\"count\":8}]'；类型 fc3d、ssq、tc_pl5、drand（chain "
     "quicknet、round）、\n"
     "      dice（count）。至少一个本局以外的来源；冻结须早于最早的来源至少 24 小时\n"
     "      （SPOTCHECK_DRAW_GAP_HOURS）。一个任务只有一次抽取。\n"
     "  spotcheck draw dice --task CODE --value V [--value V …] [--by USER] [--observers TEXT]\n"
     "      登记骰子：声明了骰子的，须在最早的外部随机数产生之前当众掷出并登记点数（每组一个 "
     "--value），\n"
     "      登记后不能更改；开奖后不再接受，抽取时输入的点数须与登记的一致。\n"
     "  spotcheck draw run --task CODE --value V [--value V …] [--by USER] [--observers TEXT]\n"
     "      抽取：按声明顺序为每个来源输入其公布的数值（所有来源产生之后才能抽取），\n"
     "      种子 = spotcheck-v2|任务编号|冻结摘要|各数值，抽取检查对象并分配检查组。\n"
     "  spotcheck draw substitute --task CODE --target ID [--officer CERT] --reason TEXT\n"
     "      "
     "递补：对象无法检查时按同一顺序取下一个；人员回避或不能参加时按其顺序取下一位合格人员。\n"
     "  spotcheck draw redraw --task CODE --reason TEXT --approver NAME --sources JSON [参数]\n"
     "      "
     "重新抽取：须有原因、批准人和新的随机数来源（不得沿用此前抽取的来源）；原抽取保留并标为\n"
     "      已作废。未给参数时沿用原参数。\n"
     "  CODE 为抽查任务的编号时，conflict、freeze、dice 和 run "
     "按任务页面的同一规则办理（实施方案已公开、联合部门已确认\n"
     "      或逾期、来源时间），须以本局启用的账号 --by USER "
     "办理并写入审计日志；抽取参数来自年度计划和\n"
     "      "
     "实施方案，不能另行指定；递补和重新抽取须在摇号现场页面办理。其他编号为独立抽取，同样写入审计"
     "日志。\n"
     "  spotcheck draw show --task CODE [--no N] [--json] [--all]\n"
     "                      [--record FILE] [--population FILE] [--officers FILE]\n"
     "      查看抽取；导出记录（JSON）、名单文件和人员文件，供 spotcheck verify 或\n"
     "      tools/verify_draw.py 核验。--all 列出该任务的全部抽取（含已作废）。\n"
     "  参数（也可用 --params FILE.json 一次给出，见 docs/DRAW.md）:\n"
     "    --ratio 3% | --ratio D=30%       各分层抽查比例（精确小数或百分数），* 为默认\n"
     "    --min N | --min D=2              各分层最低抽取数\n"
     "    --strata grade[,kind][,region]   分层方式（默认按信用风险等级）\n"
     "    --kind K --region-prefix P --tag T --grade G --registered-before D --complaints-min K\n"
     "                                     定向抽查的筛选条件（可重复的为“且”）\n"
     "    --exclude-checked-months M --exclude-drawn-this-year --yearly-cap N（默认 1）\n"
     "                                     排除条件，被排除的对象逐一列出原因\n"
     "    --group-size G（默认 2）--cross-region --workload-cap N --require-tag T\n"
     "    --specialty S --conflict CERT:TARGET --officer-dept CODE\n",
     cmd_draw},
    {"audit", "审计日志: verify（核验哈希链）| list（查看记录）",
     "用法:\n"
     "  spotcheck audit verify [--db PATH] [--anchor 摘要@编号 ...]\n"
     "      逐条重算审计日志的哈希链。完整时输出“审计日志完整: N 条记录”和最新哈希（退出码 0）；\n"
     "      否则输出“审计日志在第 ID 条记录处断裂: 原因”（退出码 1）。规则见 docs/AUDIT.md。\n"
     "      --anchor 摘要@编号: "
     "公布过的锚点（公开门户每日显示的、公告中印出的审计摘要）；该编号的\n"
     "      记录仍须带有该摘要，否则说明此前的历史被截短或改写（退出码 1）。可给多个。\n"
     "  spotcheck audit list [--db PATH] [--actor USER] [--action PREFIX] [--entity E]\n"
     "                       [--from DATE] [--to DATE] [--limit N] [--before ID] [--full]\n"
     "      按编号从新到旧列出记录（默认 50 条，最多 500 条）。--action 按前缀匹配（如 "
     "target.）；\n"
     "      --from/--to 为日期 YYYY-MM-DD（本局时区，含当天）；--before ID 翻到该编号之前的记录；\n"
     "      --full 同时列出变更前后的内容（JSON）。\n",
     cmd_audit},
    {"anchor", "下级机构的审计日志锚点: record（登记）| list（查看）| check（核验其数据库）",
     "用法:\n"
     "  spotcheck anchor record --org 机构代码 --head 摘要@编号 [--date YYYY-MM-DD] [--source "
     "网址]\n"
     "                          [--by USER] [--db PATH]\n"
     "      "
     "登记下级机构公开门户某日（默认今天）显示的审计日志锚点。同一机构同一天的同一锚点只记一次；\n"
     "      "
     "不同的锚点另记一条并标为红旗（不覆盖原记录）。与“下级锚点”页面同一规则，写入审计日志。\n"
     "  spotcheck anchor record --org 机构代码 --from FILE [--source 网址] [--by USER] [--db "
     "PATH]\n"
     "      --from FILE: 其门户 /public/anchor.txt 的内容（日期<TAB>摘要@编号；- 为标准输入），如\n"
     "      curl -s 网址/public/anchor.txt | spotcheck anchor record --org 代码 --from - --source "
     "网址\n"
     "  spotcheck anchor list [--org 机构代码] [--days N] [--db PATH]\n"
     "      列出各下级机构登记的锚点数、最近日期和状态（红旗；最近 N 个工作日未登记，默认 3）；\n"
     "      --org 列出该机构的全部锚点。\n"
     "  spotcheck anchor check --org 机构代码 --db 该机构的数据库 [--anchors-from 本级数据库]\n"
     "      核验下级机构的数据库：其审计日志的哈希链，以及本级（--anchors-from，默认\n"
     "      "
     "./var/spotcheck.db）为其登记的每个锚点是否仍在其日志中（一致）或已被截短、改写（不符）。\n"
     "      该机构的数据库只读打开。退出码: 0 全部一致，1 有不符或哈希链断裂，2 用法错误。\n",
     cmd_anchor},
    {"plan", "年度抽查计划: import | export（附件2格式）",
     "用法:\n"
     "  spotcheck plan import FILE --org CODE --year YYYY [--by USER] [--db PATH]\n"
     "      按附件2格式（CSV 或 XLSX）导入一个年度抽查计划，生成草稿。表头行按列名查找，表头前的\n"
     "      “单位（盖章）”“制表时间”行一并读取，表后的说明行忽略。有错则不写入任何数据。\n"
     "  spotcheck plan export NUMBER FILE [--version N] [--format csv|xlsx] [--db PATH]\n"
     "      按附件2格式导出计划（默认最新版本）。\n",
     cmd_plan},
    {"remind", "每日期限提醒：今日到期、3个工作日内到期和已逾期事项（供定时任务使用）",
     "用法: spotcheck remind [--db PATH] [--date YYYY-MM-DD] [--org CODE] [--format text|json]\n"
     "  列出指定日期（默认今天）的期限提醒清单：今日到期、3个工作日内到期、已逾期。\n"
     "  期限类型：联合部门确认（2个工作日）、检查结果录入和公示（检查结束后20个工作日）、\n"
     "  行政处罚决定公示（7个工作日）、后续处置结果录入（20个工作日）、整改期限。\n"
     "  工作日按数据库中的节假日数据（init 时载入 data/holidays.tsv，新一年的安排用\n"
     "  spotcheck refdata load holidays --dir 目录 "
     "载入）计算；跨入尚无放假通知年份的期限按《全国年节及\n"
     "  纪念日放假办法》的法定节假日（不含调休）推算，标为“预计”（通知载入后确定）；超出农历数据\n"
     "  （data/lunar.tsv，至 2050 年）的期限显示为“期限未知”。\n"
     "  --org CODE  只列该机构及其下级机构（行政区划代码），默认全部机构。\n"
     "  --format    text（默认，每项一行，含责任人和责任科室）或 json。\n"
     "  退出码: 0 成功（有逾期事项也为 0），1 数据库或机构不存在，2 用法错误（如日期无效）。\n",
     cmd_remind},
    {"record", "检查记录（一企一表）: save（按录入接口的 JSON 保存）",
     "用法: spotcheck record save ID --file FILE.json [--by USER] [--db PATH]\n"
     "  按记录表单接口（PUT /api/v1/my/records/ID）的同一 JSON 保存检查记录 ID："
     "version（录入时的版本号）、\n"
     "  checked_from、checked_on、dates_reason（超期说明）、result_codes、officers、items、"
     "violations 等；\n"
     "  "
     "与表单同一规则（检查日期不得晚于今天、不得早于抽取日期；超出任务抽查时间须填写超期说明），\n"
     "  一个事务并写入审计日志（record.save）。FILE 为 - 时从标准输入读取。\n"
     "  退出码: 0 已保存，1 被拒绝（逐项列出原因，未写入任何数据），2 用法错误。\n",
     cmd_record},
    {"db", "数据库迁移: copy（县级库迁入省级库，或把一个县迁出为新的 SQLite 文件）",
     "用法: spotcheck db copy --from URL --to URL [--parent CODE | --org CODE] [--by USER]\n"
     "         [--files-from DIR] [--files-to DIR]\n"
     "  URL 为 SQLite 文件（sqlite:PATH 或路径）或 PostgreSQL（postgres://…）。\n"
     "  迁入（不带 --org）: 把县级库的全部数据复制到省级库（目标库须已用 spotcheck init 创建），\n"
     "    机构按代码对应：目标库已有、且在源库中没有任何数据的上级机构（如市局）直接沿用，\n"
     "    其余机构新建，源库的顶层机构挂在 --parent CODE 之下（不给则为顶层）。所有编号在目标库\n"
     "    重新分配，引用它们的列一并改写；标签按代码合并。机构代码、账号、科室/事项/专家/计划/\n"
     "    任务编码、执法证号、检查对象编码、统一社会信用代码或参保人身份证号在目标库已存在时\n"
     "    拒绝，逐类列出冲突，不写入任何数据。\n"
     "  迁出（--org CODE）: 把该机构及其下级机构的全部数据（连同上级机构的机构行和参考数据）\n"
     "    复制到新的 SQLite 文件（不得已存在），编号不变。\n"
     "  一个事务写入目标库；源库的审计日志原样存入目标库的 audit_archive（迁入: 整条链；迁出:\n"
     "    该县的记录），目标库的审计日志记一条 db.copy.in / db.copy.out（操作人、来源、各表行数、\n"
     "    源库审计日志的最新哈希@条数、迁入审计日志的摘要）；迁出时源库也记一条 db.copy.out。\n"
     "  结束时打印核对: 各表行数（源库 → 目标库，按机构）、名单文件/抽取记录/检查通知书的\n"
     "    SHA-256、目标库的审计核验（同 spotcheck audit verify）；有不符则回滚。\n"
     "  记录的照片、视频和签名随行复制: "
     "从源库的附件目录（--files-from）到目标库的（--files-to），\n"
     "    逐个核对大小与 SHA-256；源文件缺失或损坏时拒绝并逐个列出。默认目录为数据库文件旁的\n"
     "    files；省级库一侧（迁入的目标、迁出的源）设有环境变量 SPOTCHECK_FILES 时用它（同 "
     "serve）。\n"
     "    附件在事务提交前写入，按内容命名：失败的迁移至多在目标目录留下无记录引用的文件。\n"
     "  --by USER  审计日志中的操作人（默认 cli）。\n"
     "  退出码: 0 完成，1 被拒绝或失败（原因见标准错误，未写入任何数据），2 用法错误。\n",
     cmd_db},
};
const size_t cli_command_count = ARRAY_LEN(cli_commands);

int cli_print_help(const char *cmd) {
    for (size_t i = 0; i < cli_command_count; i++) {
        if (!strcmp(cli_commands[i].name, cmd)) {
            fputs(cli_commands[i].usage, stdout);
            return CLI_OK;
        }
    }
    fprintf(stderr, "spotcheck: 未知命令 \"%s\"\n", cmd);
    return CLI_USAGE;
}

static void print_overview(FILE *f) {
    fputs(
        "spotcheck - 医疗保障“双随机、一公开”监管平台\n\n用法: spotcheck COMMAND [选项]\n\n命令:\n",
        f);
    for (size_t i = 0; i < cli_command_count; i++)
        fprintf(f, "  %-10s %s\n", cli_commands[i].name, cli_commands[i].summary);
    fputs("\n每个命令都接受 --help；--db PATH 指定数据库（默认 " CLI_DEFAULT_DB "）。\n", f);
}

/* The command line's unit-of-work runner (uow.h; the web server's is app.c's run_attempts): a
 * command whose unit of work was cancelled by another transaction (a deadlock or serialization
 * failure, PostgreSQL) before anything of it was committed runs again, UOW_ATTEMPTS in all, from
 * the same arguments and the same standard input (cli_stdin), so no command has to. */
static int run_command(const CliCommand *c, int argc, char **argv) {
    for (int attempt = 1;; attempt++) {
        UowAttempt a;
        uow_attempt_start(NULL, &a);
        int rc = c->run(argc, argv);
        if (c->once || attempt == UOW_ATTEMPTS || !uow_attempt_again(NULL, &a)) return rc;
        fprintf(stderr, "spotcheck %s: 与其他事务冲突（死锁），未写入任何数据，重试（第 %d 次）\n",
                c->name, attempt + 1);
    }
}

int main(int argc, char **argv) {
    char *clock_err = NULL;
    if (clock_init(&clock_err) != 0) {
        fprintf(stderr, "spotcheck: %s\n", clock_err);
        free(clock_err);
        return CLI_USAGE;
    }
    if (argc < 2) {
        print_overview(stderr);
        return CLI_USAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        if (argc > 2 && strcmp(argv[1], "help") == 0) return cli_print_help(argv[2]);
        print_overview(stdout);
        return CLI_OK;
    }
    for (size_t i = 0; i < cli_command_count; i++) {
        if (strcmp(argv[1], cli_commands[i].name) == 0) {
            if (cli_wants_help(argc - 1, argv + 1)) return cli_print_help(argv[1]);
            return run_command(&cli_commands[i], argc - 1, argv + 1);
        }
    }
    fprintf(stderr, "spotcheck: 未知命令 \"%s\"\n\n", argv[1]);
    print_overview(stderr);
    return CLI_USAGE;
}
