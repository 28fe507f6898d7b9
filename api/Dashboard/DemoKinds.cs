using System.Data.Common;
using Microsoft.Data.Sqlite;
using Pulse.Api.Surveys;
using Pulse.Api.Workspaces;

namespace Pulse.Api.Dashboard;

/// <summary>
/// The demo's CSAT and CES surveys, so the dashboard has every kind to show: a CSAT survey after a
/// support case is closed and a CES survey after a report export, both asked on their own events
/// (so the page-view NPS survey stays the one the demo page asks). Some of the story's users who
/// answered NPS answer one of them too, a little earlier, with a score that follows their NPS (a
/// promoter is mostly satisfied and finds things easy) and some spread.
/// </summary>
public static class DemoKinds
{
    public const string CsatName = "Support satisfaction (CSAT)";
    public const string CesName = "Report export effort (CES)";

    /// <summary>The two surveys, created once (by name) in the seeding transaction; their ids, CSAT first.</summary>
    public static (Survey Csat, Survey Ces) Prepare(DbConnection c, DbTransaction tx, long now)
    {
        var surveys = SurveyStore.List(c, tx, DemoWorkspace.Id);
        Survey Ensure(string name, string kind, string trigger)
        {
            if (surveys.FirstOrDefault(s => s.Name == name && s.Kind == kind) is { } found)
                return found;
            var created = SurveyDefaults.New(DemoWorkspace.Id, now) with { Name = name, Kind = kind, Trigger = trigger, FirstSurveyDelayDays = 0 };
            SurveyStore.Create(c, tx, created);
            return created;
        }
        return (Ensure(CsatName, QuestionKinds.CsatName, "support_case_closed"), Ensure(CesName, QuestionKinds.CesName, "report_exported"));
    }

    /// <summary>A number 0–99 of a seeded display, stable across runs (the display's time, hashed).</summary>
    static int Bucket(long at, ulong salt) => (int)(((ulong)at * 2_654_435_761UL + salt) % 100);

    /// <summary>
    /// The kind a seeded NPS answer's user also answered (about 1 in 4 CSAT, 1 in 6 CES), or null.
    /// </summary>
    public static QuestionKind? Also(long shownAt) => Bucket(shownAt, 17) switch
    {
        < 25 => QuestionKinds.Csat,
        < 42 => QuestionKinds.Ces,
        _ => null,
    };

    /// <summary>The score on <paramref name="kind"/>'s scale that goes with an NPS score: the same place on the scale, ±1 now and then.</summary>
    public static int Score(QuestionKind kind, int nps, long shownAt)
    {
        var spread = Bucket(shownAt, 71) switch { < 15 => -1, >= 85 => 1, _ => 0 };
        var scaled = kind.Min + (int)Math.Round(nps * (kind.Max - kind.Min) / 10.0, MidpointRounding.AwayFromZero);
        return Math.Clamp(scaled + spread, kind.Min, kind.Max);
    }
}
