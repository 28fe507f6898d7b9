using System.Text.RegularExpressions;
using Pulse.Api.Dashboard;
using Pulse.Api.Responses;

namespace Pulse.Tests.Dashboard;

public sealed class DemoStoryTests
{
    static readonly DateTimeOffset Now = new(2026, 3, 2, 12, 0, 0, TimeSpan.Zero);
    static readonly DemoData Data = DemoStory.Generate(5000, Now);

    static double Nps(IEnumerable<DemoDisplay> displays)
    {
        var scores = displays.Where(d => d.Outcome == DemoOutcome.Answered).Select(d => d.Score!.Value).ToList();
        return 100.0 * (scores.Count(s => NpsCategory.Of(s) == NpsCategory.Promoter) - scores.Count(s => NpsCategory.Of(s) == NpsCategory.Detractor)) / scores.Count;
    }

    [Test]
    public void Generate_GivesExactlyTheResponsesAskedFor_WithinTheLastYear_InTimeOrder()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Data.Responses, Is.EqualTo(5000));
            Assert.That(Data.Displays.Select(d => d.ShownAt), Is.Ordered);
            Assert.That(Data.Displays.Min(d => d.ShownAt), Is.GreaterThanOrEqualTo(DemoStory.RangeStart(Now).ToUnixTimeMilliseconds()));
            Assert.That(Data.Displays.Max(d => d.At), Is.LessThan(Now.ToUnixTimeMilliseconds()));
            Assert.That(Data.Displays.Count(d => d.Outcome == DemoOutcome.Declined), Is.GreaterThan(500), "declines are part of the story");
            Assert.That(Data.Displays.Where(d => d.Outcome == DemoOutcome.Answered).Select(d => d.Score), Has.All.InRange(0, 10));
            Assert.That(Data.Users.Select(u => u.Id), Is.Unique.And.All.StartsWith(DemoStory.UserPrefix));
        }
    }

    [Test]
    public void Generate_SameSeedAndNow_SameData_OtherSeed_OtherData()
    {
        var again = DemoStory.Generate(300, Now);
        var same = DemoStory.Generate(300, Now);
        var other = DemoStory.Generate(300, Now, seed: 9);
        static IEnumerable<string> Key(DemoData d) => d.Displays.Select(x => $"{x.User.Id}|{x.ShownAt}|{x.Score}|{x.Comment}");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Key(again), Is.EqualTo(Key(same)));
            Assert.That(Key(again), Is.Not.EqualTo(Key(other)));
        }
    }

    [Test]
    public void Generate_RespectsTheSurveyRules_NoUserAskedWithin90DaysOfAnAnswer()
    {
        const long day = 24L * 60 * 60 * 1000;
        foreach (var user in Data.Displays.GroupBy(d => d.User.Id))
        {
            var answers = user.Where(d => d.Outcome == DemoOutcome.Answered).ToList();
            foreach (var (a, b) in answers.Zip(answers.Skip(1)))
                Assert.That(b.ShownAt - a.ShownAt, Is.GreaterThanOrEqualTo(90 * day), user.Key);
            Assert.That(user.Min(d => d.ShownAt) - user.First().User.SignedUpAt, Is.GreaterThanOrEqualTo(30 * day), user.Key);
        }
    }

    [Test]
    public void Generate_TellsAStory_SegmentsDifferAndBigAccountsAreAtRisk()
    {
        var answered = Data.Displays.Where(d => d.Outcome == DemoOutcome.Answered).ToList();
        var byPlan = answered.GroupBy(d => d.User.Account.Plan).ToDictionary(g => g.Key, g => Nps(g));
        var byRole = answered.GroupBy(d => d.User.Role).ToDictionary(g => g.Key, g => Nps(g));
        var byCsm = answered.GroupBy(d => d.User.Account.Csm).ToDictionary(g => g.Key, g => Nps(g));
        var overall = Nps(answered);
        var nowMs = Now.ToUnixTimeMilliseconds();
        const long day = 24L * 60 * 60 * 1000;
        var dip = Nps(answered.Where(d => Math.Abs(d.ShownAt - (nowMs - 150 * day)) < 14 * day));
        var lastMonth = Nps(answered.Where(d => d.ShownAt > nowMs - 30 * day));
        var bigAtRisk = answered.Where(d => d.User.Account.Arr >= 100_000).GroupBy(d => d.User.Account.Id).Count(g => Nps(g) < 0);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(overall, Is.InRange(5, 45), "a plausible overall NPS");
            Assert.That(byPlan["enterprise"], Is.GreaterThan(byPlan["free"] + 15));
            Assert.That(byRole["admin"], Is.GreaterThan(byRole["employee"] + 10));
            Assert.That(byCsm["Tom Becker"], Is.LessThan(byCsm["Dana Whitfield"] - 15));
            Assert.That(dip, Is.LessThan(overall - 10), "the release dip shows in the trend");
            Assert.That(lastMonth, Is.GreaterThan(dip + 15), "and the last month recovers");
            Assert.That(bigAtRisk, Is.GreaterThanOrEqualTo(2), "big accounts at risk");
            Assert.That(answered.Count(d => d.Comment is not null), Is.InRange(2000, 3500), "about half leave a comment");
        }
    }

    [Test]
    public void Generate_CoversTheDashboardsDefaultRange_FromItsFirstDayToNow()
    {
        var start = DemoStory.RangeStart(Now);
        const long day = 24L * 60 * 60 * 1000;
        using (Assert.EnterMultipleScope())
        {
            // "Last 12 months" on 2026-03-02 is 2025-03-03 … 2026-03-02 (app.js presetRange).
            Assert.That(start, Is.EqualTo(new DateTimeOffset(2025, 3, 3, 0, 0, 0, TimeSpan.Zero)));
            Assert.That(DemoStory.RangeStart(new DateTimeOffset(2024, 2, 29, 23, 0, 0, TimeSpan.Zero)),
                Is.EqualTo(new DateTimeOffset(2023, 3, 2, 0, 0, 0, TimeSpan.Zero)), "29 February a year back rolls over like JavaScript's Date");
            Assert.That(Data.Displays.Min(d => d.ShownAt) - start.ToUnixTimeMilliseconds(), Is.InRange(0, day), "the first day has data");
            Assert.That(Now.ToUnixTimeMilliseconds() - Data.Displays.Max(d => d.ShownAt), Is.InRange(0, day), "and so does today");
        }
    }

    [Test]
    public void Comments_AreComposed_AtLeast1000Distinct_NoneRepeatsASentence()
    {
        var comments = Data.Displays.Select(d => d.Comment).OfType<string>().ToList();
        var repeating = comments.Where(c =>
        {
            var sentences = Regex.Split(c, @"(?<=[.!?])\s+|\n").Where(x => x.Length > 0).ToList();
            return sentences.Count != sentences.Distinct(StringComparer.OrdinalIgnoreCase).Count();
        }).ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(comments.Distinct(StringComparer.Ordinal).Count(), Is.EqualTo(comments.Count), "no two comments are the same text");
            Assert.That(comments, Has.Count.GreaterThanOrEqualTo(1000));
            Assert.That(repeating, Is.Empty, "comments that repeat a sentence");
        }
    }

    static double Share(IEnumerable<DemoDisplay> answered, string theme)
    {
        var withComment = answered.Where(d => d.Comment is not null).ToList();
        return (double)withComment.Count(d => d.Theme == theme) / withComment.Count;
    }

    [Test]
    public void Comments_Themes_VaryByPlanRoleAndIndustry()
    {
        var answered = Data.Displays.Where(d => d.Outcome == DemoOutcome.Answered).ToList();
        IEnumerable<DemoDisplay> Plan(string p) => answered.Where(d => d.User.Account.Plan == p);
        IEnumerable<DemoDisplay> Role(string r) => answered.Where(d => d.User.Role == r);
        IEnumerable<DemoDisplay> Industry(params string[] i) => answered.Where(d => i.Contains(d.User.Account.Industry));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Share(Plan("free"), "pricing"), Is.GreaterThan(2 * Share(Plan("enterprise"), "pricing")), "free plans write about price");
            Assert.That(Share(Plan("enterprise"), "sso"), Is.GreaterThan(2 * Share(Plan("free"), "sso")), "enterprise about SSO");
            Assert.That(Share(Role("employee"), "mobile"), Is.GreaterThan(2 * Share(Role("admin"), "mobile")), "employees about the app");
            Assert.That(Share(Role("recruiter"), "recruiting"), Is.GreaterThan(2 * Share(Role("manager"), "recruiting")), "recruiters about hiring");
            Assert.That(Share(Industry("Healthcare", "Hospitality"), "shifts"), Is.GreaterThan(1.5 * Share(Industry("Software", "Finance"), "shifts")),
                "round-the-clock industries about shifts");
            Assert.That(answered.Where(d => d.Theme == DemoComments.ReleaseTheme).Select(d => d.Comment), Has.All.Match("release|update"),
                "the release complaints say so");
            Assert.That(Plan("free").Where(d => d.Theme == "pricing").Select(d => d.Comment),
                Has.Some.Match("(?i)expensive|pric|plan"), "and the text matches its theme");
        }
    }

    [Test]
    public void ResponseRates_DifferBySegment()
    {
        double Rate(Func<DemoDisplay, bool> segment)
        {
            var shown = Data.Displays.Where(segment).ToList();
            return (double)shown.Count(d => d.Outcome == DemoOutcome.Answered) / shown.Count;
        }
        var byRole = new[] { "admin", "manager", "recruiter", "employee" }.ToDictionary(r => r, r => Rate(d => d.User.Role == r));
        var byPlan = new[] { "free", "starter", "premium", "enterprise" }.ToDictionary(p => p, p => Rate(d => d.User.Account.Plan == p));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(byRole["admin"] - byRole["employee"], Is.GreaterThan(0.2), "admins answer far more often than employees");
            Assert.That(byPlan["enterprise"] - byPlan["free"], Is.GreaterThan(0.12), "enterprise customers more than free plans");
            Assert.That(byRole.Values.Max() - byRole.Values.Min(), Is.GreaterThan(0.2));
            Assert.That(Rate(_ => true), Is.InRange(0.45, 0.7), "a plausible overall response rate");
        }
    }
}
