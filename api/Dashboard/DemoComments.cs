using Bogus;
using Pulse.Api.Responses;

namespace Pulse.Api.Dashboard;

/// <summary>
/// The demo's comments, composed from parts so that they read like many different people wrote
/// them: a sentence about a theme, sometimes a detail and a closing remark. Which themes come up
/// depends on who answers — free plans talk about limits and price, enterprise customers about
/// SSO and permissions, employees about the mobile app and payslips, hospitals about shift
/// planning — and on the score. A comment never repeats a sentence, and no two comments are the
/// same text. Pure: the faker's random decides everything.
/// </summary>
static class DemoComments
{
    /// <summary>The themes comments are about (<see cref="ReleaseTheme"/> aside).</summary>
    public static IEnumerable<string> ThemeKeys => Themes.Select(t => t.Key);

    /// <summary>
    /// A theme people write about. A template's <c>{a|b|c}</c> picks one choice (choices nest);
    /// the tags say who writes about it more often.
    /// </summary>
    sealed record Theme(string Key, string[] Plans, string[] Roles, string[] Industries, string[] Praise, string[] Complaints, string[] Details);

    static readonly Theme[] Themes =
    [
        new("pricing", ["free", "starter"], ["admin"], ["Retail", "Hospitality", "Education"],
            [
                "{Fair|Honest|Reasonable} pricing for {what we get|a team our size|the features we use}.",
                "The free plan {got us started|was enough to convince our boss|let us try everything} {without a sales call|in a day|before we paid a cent}.",
            ],
            [
                "The price jump to the next plan is {steep|hard to justify|too big for a small team}.",
                "{Too expensive|Far too pricey|Overpriced} for {what we use|a team of our size|the three features we need}.",
                "Nobody told us about the price change{| in advance| before the invoice arrived}.",
                "The {user limit|five-report limit|export limit} of our plan {keeps getting in our way|makes it hard to roll out|is too low}.",
            ],
            ["Our budget is {tight|fixed for the year|approved once a year}.", "We are a {small|non-profit|seasonal} business."]),
        new("reports", ["premium", "starter"], ["manager", "admin"], ["Finance", "Manufacturing"],
            [
                "The {headcount|overtime|absence} report {saves me hours|is exactly what our board asks for|is my favourite feature}.",
                "Reports {are quick and clear|answer most questions before they are asked|look great in the monthly review}.",
            ],
            [
                "Reports {take minutes|are painfully slow|time out} {for bigger teams|when I pick a whole quarter|at the end of the month}.",
                "Exports {time out|fail silently|come out with broken dates} {whenever we pick more than a month of data|for our largest department|in CSV}.",
                "I can't {save a report with my filters|share a report with another manager|schedule a report for the first of the month}.",
            ],
            ["We run payroll reports {every Friday|twice a month|for five countries}.", "Our finance team {lives in|depends on|checks} these numbers daily."]),
        new("mobile", [], ["employee"], ["Retail", "Hospitality", "Logistics", "Healthcare"],
            [
                "The mobile app is what {sold|won over} our {field teams|store staff|drivers|nurses}.",
                "Requesting time off from {my phone|the app} {takes seconds|is so easy|just works}.",
            ],
            [
                "The mobile app {crashes|freezes|logs me out} {when uploading receipts|every other day|when I open my payslip}.",
                "The app still {lacks|has no} {approvals|shift swaps|offline mode} on {Android|the phone|tablets}.",
                "{Notifications on the app|Push notifications} {arrive hours late|never arrive|show the wrong shift}.",
            ],
            ["Most of our people {never sit at a desk|work on the floor|are on the road}.", "We have {two|three|four} shifts a day."]),
        new("payroll", ["premium", "starter"], ["admin", "manager"], ["Manufacturing", "Logistics", "Hospitality"],
            [
                "Payroll runs in {minutes|a coffee break|ten minutes} now instead of {an afternoon|a whole day|two days}.",
                "{Payslips|Payroll corrections|Bonus runs} are {painless|finally simple|done before lunch}.",
            ],
            [
                "{Payroll|The payroll run} {failed|was late|showed the wrong totals} {twice this quarter|last month|on the busiest week of the year}.",
                "People can't find their payslips {since the redesign|in the new menu|on the phone}.",
            ],
            ["We pay {weekly|every two weeks|monthly} in {two|three|several} currencies.", "Payroll day is {stressful|tense|a big deal} here."]),
        new("time-off", [], ["employee", "manager"], ["Education", "Healthcare", "Retail"],
            [
                "The time-off calendar {alone saved us a spreadsheet|replaced a lot of email|shows the whole team at a glance}.",
                "{Approving|Planning} holidays is {painless|quick|so much easier} now.",
            ],
            [
                "We keep hitting bugs in the time-off approvals{| for part-time staff| across teams}.",
                "Holiday balances are {wrong|off by a day|not updated} {after carry-over|for part-timers|in January}.",
            ],
            ["{School holidays are|Term breaks are|Peak season is} when it matters most for us.", "Half of our staff work part-time."]),
        new("sso", ["enterprise"], ["admin"], ["Finance"],
            [
                "SSO {set-up took an afternoon|just works with our identity provider|made the security review easy}.",
                "The audit log {made our security team happy|answered every question in our audit|is thorough}.",
            ],
            [
                "Login with our SSO {breaks|fails|times out} {every other week|after every release|for new hires}.",
                "We need {SCIM provisioning|enforced SSO|IP allow-lists} {before we can roll out further|for our compliance team|this quarter}.",
            ],
            ["Our security team {reviews|audits|signs off on} every tool we use.", "We have {2,000|5,000|12,000} employees in the directory."]),
        new("permissions", ["enterprise", "premium"], ["admin", "manager"], ["Finance", "Healthcare"],
            [
                "The permissions model {is flexible|fits our org chart|lets every manager see just their team}.",
            ],
            [
                "The permissions model {could be simpler|is confusing|takes too many clicks to change}.",
                "We can't {hide salaries from {team leads|regional managers|HR assistants}|limit what {team leads|regional managers|HR assistants} {see|can edit}}.",
            ],
            ["We have {many|dozens of|several} departments with their own rules.", "Our org chart changes {every quarter|often|a lot}."]),
        new("recruiting", [], ["recruiter"], ["Software", "Healthcare", "Retail"],
            [
                "The recruiting pipeline view is {excellent|the best we've used|what the whole team lives in}.",
                "{Posting jobs|Scheduling interviews|Sending offers} {takes a minute|is one click|is painless} now.",
            ],
            [
                "The {job board|careers page} integration {drops candidates|posts duplicates|stopped syncing} {now and then|last week|after the update}.",
                "{Interview scheduling|Candidate search} {is clunky|is hit and miss|doesn't handle time zones}.",
            ],
            ["We hire {dozens|hundreds} of people {a month|every season|a year}.", "Our recruiters {juggle|manage|run} {twenty|thirty|forty} open roles each."]),
        new("support", [], [], [],
            [
                "Support {answered within the hour|solved my problem the same day|was patient and knew the product}{|, and it was the right answer}.",
                "{Our account manager|The support team|Customer success} {is fantastic|goes out of their way|actually listens}.",
            ],
            [
                "Support took {four days|a week|three emails} to reply to a {payroll|login|billing} problem.",
                "{Support|The help centre} {keeps sending links to articles|doesn't understand the problem|closes tickets too early}.",
            ],
            ["We are not {technical|IT people|experts} ourselves.", "It was {urgent|payroll week|the end of the quarter}."]),
        new("onboarding", ["starter", "free"], ["admin"], ["Education", "Retail"],
            [
                "We rolled it out to {300|120|45} people with {zero training sessions|one short video|a single email}.",
                "Onboarding new hires is {so much smoother|twice as fast|finally consistent} than with our old tool.",
            ],
            [
                "Setup took {longer than promised|weeks instead of days|three calls with your team}.",
                "Importing our {employees|old data|holiday balances} {was painful|failed twice|lost the start dates}.",
            ],
            ["We switched from {spreadsheets|our old HR system|paper forms} {this year|last spring|in January}.", "Nobody here had used an HR tool before."]),
        new("integrations", ["premium", "enterprise"], ["admin"], ["Software", "Finance", "Logistics"],
            [
                "{Integrations|The sync} with our {accounting system|calendar|Slack} just works.",
                "The API {is well documented|let us automate our onboarding|saved our developers a week}.",
            ],
            [
                "The {accounting|calendar|Slack} sync {breaks|duplicates entries|stops} {every few weeks|after an update|without telling us}.",
                "We'd use it more if it had an API for {shift planning|expenses|org charts}.",
            ],
            ["Our developers {built|maintain} {a few|several} integrations on top of it.", "We connect it to {five|six|a dozen} other tools."]),
        new("shifts", [], [], ["Healthcare", "Hospitality", "Manufacturing", "Logistics"],
            [
                "Shift planning {finally makes sense|takes half the time|is clear for everyone}.",
            ],
            [
                "Shift planning {doesn't handle night shifts|breaks across time zones|can't do rotating rosters}.",
                "{Swapping|Covering} shifts {still needs a phone call|isn't possible in the app|confuses everyone}.",
            ],
            ["We run {24/7|around the clock|seven days a week}.", "Our rosters change {daily|every week|at short notice}."]),
        new("usability", [], ["employee", "recruiter"], [],
            [
                "{Clean, fast|Simple and quick|Easy to use}{| and our managers actually use it| and nobody needed training}.",
                "Honestly the best HR software we've {used|had|tried}{|. Keep going|, and we've tried a few}.",
            ],
            [
                "The new navigation is {confusing|hard to learn|full of hidden menus}{|; people can't find anything}.",
                "Search is {hit and miss|slow|useless for names with accents}.",
                "Too many {clicks|steps|screens} to {approve a request|change an address|find a document}.",
            ],
            ["Most of us use it {once a week|every day|only at month end}.", "Our team is {not very technical|spread over four offices|mostly new}."]),
        new("features", ["free", "starter", "premium"], ["manager", "admin"], ["Manufacturing", "Education"],
            [
                "{New features|Updates} arrive {every month|regularly|faster than we can try them}{| and they are useful}.",
            ],
            [
                "Missing basic features our old tool had{| (custom fields!)| like document templates| like org charts}.",
                "We {asked|waited} for {custom fields|document templates|bulk edits} {a year ago|since we signed up|for months}.",
            ],
            ["Our old tool was {clunky|expensive|from 2009} but {it had that|it covered this|we miss that part}."]),
    ];

    /// <summary>The theme of the comments about the release that broke reports.</summary>
    public const string ReleaseTheme = "release";

    /// <summary>A release five months ago broke reports for a few weeks; detractors of that time say so.</summary>
    static readonly string[] ReleaseComplaints =
    [
        "Since the last release the reports page {doesn't load at all|spins forever|shows the wrong totals} for us.",
        "Reports broke after the update and we had to do payroll {by hand|in a spreadsheet|twice}.",
        "The {last|latest|new} update made everything {slower|sluggish|painfully slow}{|. Please roll it back}.",
        "{After|Since} the {update|new release} exports {fail|time out|are empty} {every time|half the time|for large teams}.",
    ];

    static readonly string[] PromoterClosers = ["Keep it up!", "Thank you!", "Love it!", "Would recommend it to any {company|team} {our size|like ours}.", "Our {teams|managers|people} {love|like|rely on} it."];
    static readonly string[] PassiveClosers = ["Otherwise {fine|good|solid}.", "Still, it does the job.", "Happy to talk about it.", "Mostly happy{| overall}."];
    static readonly string[] DetractorClosers = ["Please fix this soon.", "We are evaluating alternatives.", "This is costing us hours every {week|month}.",
        "Our contract renews in {two|three|six} months.", "Not acceptable{| for what we pay}."];

    /// <summary>
    /// A comment for this user and score, or null when they leave none. <paramref name="used"/>
    /// holds every comment written so far; the result is never one of them.
    /// </summary>
    public static (string Text, string Theme)? Write(Faker f, DemoUser user, int score, bool duringRelease, ISet<string> used)
    {
        var category = NpsCategory.Of(score);
        var chance = category switch { NpsCategory.Promoter => 0.5, NpsCategory.Passive => 0.45, _ => 0.72 };
        if (f.Random.Double() >= chance)
            return null;
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var (text, theme) = Compose(f, user, category, duringRelease);
            if (used.Add(text))
                return (text, theme);
        }
        return null; // every try was taken: this user leaves no comment rather than a copy
    }

    static (string Text, string Theme) Compose(Faker f, DemoUser user, string category, bool duringRelease)
    {
        var sentences = new List<string>();
        void Add(string template)
        {
            var sentence = Expand(f, template);
            if (!sentences.Contains(sentence, StringComparer.Ordinal))
                sentences.Add(sentence);
        }

        var theme = Pick(f, user);
        var about = theme.Key;
        switch (category)
        {
            case NpsCategory.Promoter:
                Add(f.PickRandom(theme.Praise));
                break;
            case NpsCategory.Passive:
                // Mixed feelings: something good, then something that holds them back.
                var other = Pick(f, user);
                Add(f.PickRandom(theme.Praise));
                var complaint = Expand(f, f.PickRandom(other.Complaints));
                Add(f.Random.Bool() ? "But " + LowerFirst(complaint) : complaint);
                break;
            default:
                if (duringRelease && f.Random.Double() < 0.6)
                {
                    Add(f.PickRandom(ReleaseComplaints));
                    about = ReleaseTheme;
                }
                else
                    Add(f.PickRandom(theme.Complaints));
                break;
        }
        if (f.Random.Double() < 0.3)
            Add(f.PickRandom(theme.Details));
        if (f.Random.Double() < 0.3)
            Add(f.PickRandom(category switch
            {
                NpsCategory.Promoter => PromoterClosers,
                NpsCategory.Passive => PassiveClosers,
                _ => DetractorClosers,
            }));
        // A line break between sentences now and then, as people type in a comment box.
        return (string.Join(f.Random.Double() < 0.2 ? "\n" : " ", sentences), about);
    }

    /// <summary>A theme for this user: a theme tagged with their plan, role or industry is several times likelier.</summary>
    static Theme Pick(Faker f, DemoUser user)
    {
        var weights = Themes.Select(t => 1
            + (t.Plans.Contains(user.Account.Plan) ? 6 : 0)
            + (t.Roles.Contains(user.Role) ? 4 : 0)
            + (t.Industries.Contains(user.Account.Industry) ? 3 : 0)).ToArray();
        var roll = f.Random.Int(1, weights.Sum());
        for (var i = 0; i < weights.Length; i++)
        {
            roll -= weights[i];
            if (roll <= 0)
                return Themes[i];
        }
        return Themes[^1];
    }

    /// <summary>Expands <c>{a|b|c}</c> choices, innermost first.</summary>
    public static string Expand(Faker f, string template)
    {
        var text = template;
        while (true)
        {
            var close = text.IndexOf('}', StringComparison.Ordinal);
            if (close < 0)
                return text;
            var open = text.LastIndexOf('{', close);
            var choices = text[(open + 1)..close].Split('|');
            text = text[..open] + f.PickRandom(choices) + text[(close + 1)..];
        }
    }

    static string LowerFirst(string s) => s.Length > 1 && char.IsUpper(s[0]) && !char.IsUpper(s[1]) ? char.ToLowerInvariant(s[0]) + s[1..] : s;
}
