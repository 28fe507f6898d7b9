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
            Assert.That(Data.Displays.Min(d => d.ShownAt), Is.GreaterThanOrEqualTo(Now.AddDays(-365).ToUnixTimeMilliseconds()));
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
}
