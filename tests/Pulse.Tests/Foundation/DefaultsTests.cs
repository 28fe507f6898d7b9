using Dapper;
using Pulse.Api.Cli;
using Pulse.Api.Storage;
using Pulse.Api.Surveys;
using Pulse.Api.Workspaces;
using Pulse.Tests.Support;

namespace Pulse.Tests.Foundation;

/// <summary>
/// Each default has one source in C#; the migrations' column defaults (for rows written by hand)
/// must agree with it, and a workspace made by the CLI starts like one made by the server.
/// </summary>
public sealed class DefaultsTests
{
    PulseFactory _app = null!;

    [OneTimeSetUp]
    public void Start() => _app = new PulseFactory();

    [OneTimeTearDown]
    public void Stop() => _app.Dispose();

    /// <summary>The column defaults of <paramref name="table"/> in a freshly migrated database, by column.</summary>
    static Dictionary<string, string?> ColumnDefaults(string table)
    {
        using var dir = new TempDirectory();
        var db = new Db($"Data Source={dir.File("defaults.db")}", dir.Path);
        using var c = db.Open();
        Migrator.Apply(c, TimeProvider.System);
        return c.Query<(long Cid, string Name, string Type, long NotNull, string? Default, long Pk)>($"PRAGMA table_info({table})")
            .ToDictionary(r => r.Name, r => r.Default);
    }

    [Test]
    public void SurveyColumnDefaults_MatchSurveyDefaults()
    {
        var columns = ColumnDefaults("surveys");
        var survey = SurveyDefaults.New("ws_x", 0);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(columns["kind"], Is.EqualTo($"'{survey.Kind}'"));
            Assert.That(columns["active"], Is.EqualTo(survey.Active ? "1" : "0"));
            Assert.That(columns["priority"], Is.EqualTo(survey.Priority.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            Assert.That(columns["trigger"], Is.Null);
            Assert.That(columns["first_survey_delay_days"], Is.EqualTo($"{survey.FirstSurveyDelayDays}"));
            Assert.That(columns["resurvey_days"], Is.EqualTo($"{survey.ResurveyDays}"));
            Assert.That(columns["decline_cooldown_days"], Is.EqualTo($"{survey.DeclineCooldownDays}"));
            Assert.That(columns["reshow_after_ignored_days"], Is.EqualTo($"{survey.ReshowAfterIgnoredDays}"));
            Assert.That(double.Parse(columns["sample_percent"]!, System.Globalization.CultureInfo.InvariantCulture), Is.EqualTo(survey.SamplePercent));
            Assert.That(columns["daily_cap"], Is.Null);
            Assert.That(survey.DailyCap, Is.Null);
            Assert.That(columns["targeting"], Is.EqualTo("'[]'"));
            Assert.That(survey.Targeting, Is.Empty);
            Assert.That(columns["exclude_email_domains"], Is.EqualTo("'[]'"));
            Assert.That(survey.ExcludeEmailDomains, Is.Empty);
        }
    }

    [Test]
    public void WorkspaceFatigueDefault_MatchesTheOneConstant()
    {
        Assert.That(ColumnDefaults("workspaces")["fatigue_days"], Is.EqualTo($"{Workspace.DefaultFatigueDays}"));
        var created = _app.CreateWorkspace();
        Assert.That(_app.Services.GetRequiredService<WorkspaceStore>().Find(created.WorkspaceId)!.FatigueDays, Is.EqualTo(Workspace.DefaultFatigueDays));
    }

    /// <summary>The CLI creates workspaces without the host, so it names the workspace hooks itself.</summary>
    [Test]
    public void CliWorkspaceHooks_AreTheOnesTheServerRegisters()
    {
        Assert.That(PulseCli.WorkspaceHooks.Select(h => h.GetType()),
            Is.EqualTo(_app.Services.GetServices<IWorkspaceHook>().Select(h => h.GetType())));
    }

    [Test]
    public void NewWorkspace_StartsWithTheRelationshipSurvey_WithEveryDefault()
    {
        var created = _app.CreateWorkspace();
        var survey = _app.Services.GetRequiredService<SurveyStore>().List(created.WorkspaceId).Single();
        var expected = SurveyDefaults.Relationship(created.WorkspaceId, survey.CreatedAt) with { Id = survey.Id };
        Assert.That(survey.ToResource(), Is.EqualTo(expected.ToResource()).Using<SurveyResource>((a, b) =>
            System.Text.Json.JsonSerializer.Serialize(a) == System.Text.Json.JsonSerializer.Serialize(b)));
    }
}
