using System.Data.Common;
using System.Text.Json;
using Dapper;
using Microsoft.Data.Sqlite;
using Pulse.Api.Storage;

namespace Pulse.Api.Surveys;

/// <summary>
/// Where a survey id is used, which decides whether a deleted survey counts (<see cref="SurveyStore.Ids"/>).
/// </summary>
public enum SurveyUse
{
    /// <summary>Settings, eligibility, webhook filters: a deleted survey is gone.</summary>
    Configuration,

    /// <summary>Metrics, lists and exports: a deleted survey's displays and responses stay in reports.</summary>
    Reports,
}

/// <summary>
/// The one store with SQL for <c>surveys</c>. Every query is scoped by workspace; deleted surveys are
/// invisible here except in <see cref="Ids"/> for <see cref="SurveyUse.Reports"/>.
/// </summary>
public sealed class SurveyStore(Db db)
{
    /// <summary>The rule for deleted surveys: a soft-deleted row is out of every configuration read.</summary>
    const string Live = "deleted_at IS NULL";

    const string Columns = """
        id AS Id, workspace_id AS WorkspaceId, name AS Name, kind AS Kind, active AS Active, priority AS Priority, trigger AS Trigger, first_survey_delay_days AS FirstSurveyDelayDays, resurvey_days AS ResurveyDays,
        decline_cooldown_days AS DeclineCooldownDays, reshow_after_ignored_days AS ReshowAfterIgnoredDays, sample_percent AS SamplePercent, daily_cap AS DailyCap, targeting AS Targeting,
        exclude_email_domains AS ExcludeEmailDomains, texts AS Texts, theme AS Theme, variants AS Variants, reasons AS Reasons, email_fallback_days AS EmailFallbackDays, created_at AS CreatedAt, updated_at AS UpdatedAt
        """;

    const string SelectLive = $"""
        SELECT {Columns} FROM surveys WHERE workspace_id = @WorkspaceId AND {Live}
        ORDER BY priority DESC, created_at, id
        """;

    const string SelectVersions = $"""
        SELECT id AS Id, updated_at AS UpdatedAt FROM surveys WHERE workspace_id = @WorkspaceId AND {Live}
        ORDER BY priority DESC, created_at, id
        """;

    const string SelectSome = $"SELECT {Columns} FROM surveys WHERE workspace_id = @WorkspaceId AND {Live} AND id IN @Ids";

    const string SelectOne = $"SELECT {Columns} FROM surveys WHERE workspace_id = @WorkspaceId AND id = @Id AND {Live}";

    const string Insert = """
        INSERT INTO surveys (id, workspace_id, name, kind, active, priority, trigger, first_survey_delay_days, resurvey_days,
                             decline_cooldown_days, reshow_after_ignored_days, sample_percent, daily_cap, targeting,
                             exclude_email_domains, texts, theme, variants, reasons, email_fallback_days, created_at, updated_at)
        VALUES (@Id, @WorkspaceId, @Name, @Kind, CAST(@Active AS INTEGER), @Priority, @Trigger, @FirstSurveyDelayDays, @ResurveyDays,
                @DeclineCooldownDays, @ReshowAfterIgnoredDays, @SamplePercent, @DailyCap, @Targeting,
                @ExcludeEmailDomains, @Texts, @Theme, @Variants, @Reasons, @EmailFallbackDays, @CreatedAt, @UpdatedAt)
        """;

    const string Update = $"""
        UPDATE surveys SET name = @Name, kind = @Kind, active = CAST(@Active AS INTEGER), priority = @Priority, trigger = @Trigger,
               first_survey_delay_days = @FirstSurveyDelayDays, resurvey_days = @ResurveyDays,
               decline_cooldown_days = @DeclineCooldownDays, reshow_after_ignored_days = @ReshowAfterIgnoredDays,
               sample_percent = @SamplePercent, daily_cap = @DailyCap, targeting = @Targeting,
               exclude_email_domains = @ExcludeEmailDomains, texts = @Texts, theme = @Theme, variants = @Variants, reasons = @Reasons, email_fallback_days = @EmailFallbackDays, updated_at = @UpdatedAt
        WHERE workspace_id = @WorkspaceId AND id = @Id AND {Live}
        """;

    const string SoftDelete = $"""
        UPDATE surveys SET deleted_at = @At, updated_at = @At, active = 0
        WHERE workspace_id = @WorkspaceId AND id = @Id AND {Live}
        """;

    const string CountLive = $"""
        SELECT COUNT(*) AS Total, COALESCE(SUM(active), 0) AS Active FROM surveys WHERE workspace_id = @WorkspaceId AND {Live}
        """;

    const string SelectIdsOfKind = "SELECT id FROM surveys WHERE workspace_id = @WorkspaceId AND kind = @Kind";
    const string SelectKind = "SELECT kind FROM surveys WHERE id = @Id";
    const string SelectId = "SELECT id FROM surveys WHERE workspace_id = @WorkspaceId AND id = @Id";
    const string SelectName = "SELECT name FROM surveys WHERE id = @Id";

    /// <summary>
    /// The surveys a request names, under the one rule for deleted surveys: with <paramref name="surveyId"/>,
    /// that survey when it is the workspace's (and, for <see cref="SurveyUse.Configuration"/>, not deleted),
    /// else null (404); without it, every survey of <paramref name="kind"/> of the workspace that counts for <paramref name="use"/>,
    /// oldest first.
    /// </summary>
    public IReadOnlyList<string>? Ids(string workspaceId, string? surveyId, SurveyUse use, string kind = QuestionKinds.NpsName)
    {
        var live = use == SurveyUse.Configuration ? $" AND {Live}" : "";
        using var c = db.Open();
        if (surveyId is null)
            return c.Query<string>(SelectIdsOfKind + live + " ORDER BY created_at, id", new { WorkspaceId = workspaceId, Kind = kind }).ToList();
        var found = c.QuerySingleOrDefault<string>(SelectId + live, new { WorkspaceId = workspaceId, Id = surveyId });
        return found is null ? null : [found];
    }

    /// <summary>
    /// A survey's kind, deleted or not; null for an unknown id. The kind never changes after creation
    /// (docs/decisions.md, K2), so callers may keep it (<see cref="SurveyKinds"/>).
    /// </summary>
    public string? Kind(string surveyId)
    {
        using var c = db.Open();
        return c.ExecuteScalar<string?>(SelectKind, new { Id = surveyId });
    }

    /// <summary>A survey's kind, deleted or not, inside the caller's transaction (webhook payloads); nps for an unknown id.</summary>
    public static string Kind(DbConnection c, DbTransaction tx, string surveyId) =>
        c.ExecuteScalar<string?>(SelectKind, new { Id = surveyId }, tx) ?? QuestionKinds.NpsName;

    /// <summary>A survey's name, deleted or not (webhook payloads name the survey an answer belongs to).</summary>
    public static string? Name(DbConnection c, DbTransaction tx, string surveyId) =>
        c.ExecuteScalar<string?>(SelectName, new { Id = surveyId }, tx);

    /// <summary>How many surveys the workspace has (not deleted), and how many of them are active; read inside the writer's transaction.</summary>
    public static (long Total, long Active) Count(DbConnection c, DbTransaction tx, string workspaceId) =>
        c.QuerySingle<(long Total, long Active)>(CountLive, new { WorkspaceId = workspaceId }, tx);

    /// <summary>The workspace's surveys that are not deleted, highest priority first (ties: oldest first).</summary>
    public IReadOnlyList<Survey> List(string workspaceId)
    {
        using var c = db.Open();
        return List(c, null, workspaceId);
    }

    /// <summary>The same as <see cref="List(string)"/> on the caller's connection.</summary>
    public static IReadOnlyList<Survey> List(DbConnection c, DbTransaction? tx, string workspaceId) =>
        c.Query<SurveyRow>(SelectLive, new { WorkspaceId = workspaceId }, tx).Select(r => r.ToSurvey()).ToList();

    /// <summary>
    /// The same list as <see cref="List(string)"/>, reusing the surveys of <paramref name="previous"/>
    /// whose <c>updated_at</c> has not moved: only new and changed rows are read and parsed, so
    /// refreshing a workspace with large surveys that did not change costs one small indexed query.
    /// </summary>
    public IReadOnlyList<Survey> List(string workspaceId, IReadOnlyList<Survey>? previous)
    {
        if (previous is not { Count: > 0 })
            return List(workspaceId);
        var known = previous.ToDictionary(s => s.Id, StringComparer.Ordinal);
        using var c = db.Open();
        using var tx = c.BeginTransaction(deferred: true); // one snapshot for both reads
        var versions = c.Query<(string Id, long UpdatedAt)>(SelectVersions, new { WorkspaceId = workspaceId }, tx).ToList();
        var changed = versions.Where(v => !known.TryGetValue(v.Id, out var s) || s.UpdatedAt != v.UpdatedAt).Select(v => v.Id).ToList();
        var read = changed.Count == 0 ? []
            : c.Query<SurveyRow>(c.Sql(SelectSome), new { WorkspaceId = workspaceId, Ids = changed }, tx).Select(r => r.ToSurvey()).ToDictionary(s => s.Id, StringComparer.Ordinal);
        return versions.Select(v => read.GetValueOrDefault(v.Id) ?? known[v.Id]).ToList();
    }

    public Survey? Find(string workspaceId, string id)
    {
        using var c = db.Open();
        return Find(c, null, workspaceId, id);
    }

    public static Survey? Find(DbConnection c, DbTransaction? tx, string workspaceId, string id) =>
        c.QuerySingleOrDefault<SurveyRow>(SelectOne, new { WorkspaceId = workspaceId, Id = id }, tx)?.ToSurvey();

    public static void Create(DbConnection c, DbTransaction tx, Survey s) => c.Execute(Insert, Parameters(s), tx);

    /// <summary>Saves a survey's settings; false when it does not exist in that workspace (or is deleted).</summary>
    public static bool Save(DbConnection c, DbTransaction tx, Survey s) => c.Execute(Update, Parameters(s), tx) == 1;

    /// <summary>Marks a survey deleted; its displays and responses stay for reporting.</summary>
    public static bool Delete(DbConnection c, DbTransaction tx, string workspaceId, string id, long now) =>
        c.Execute(SoftDelete, new { WorkspaceId = workspaceId, Id = id, At = now }, tx) == 1;

    static object Parameters(Survey s) => new
    {
        s.Id,
        s.WorkspaceId,
        s.Name,
        s.Kind,
        s.Active,
        s.Priority,
        s.Trigger,
        s.FirstSurveyDelayDays,
        s.ResurveyDays,
        s.DeclineCooldownDays,
        s.ReshowAfterIgnoredDays,
        s.SamplePercent,
        s.DailyCap,
        Targeting = JsonSerializer.Serialize(s.Targeting, SurveyMapping.ColumnJson),
        ExcludeEmailDomains = JsonSerializer.Serialize(s.ExcludeEmailDomains, SurveyMapping.ColumnJson),
        Texts = JsonSerializer.Serialize(s.Texts, SurveyMapping.ColumnJson),
        Theme = JsonSerializer.Serialize(s.Theme, SurveyMapping.ColumnJson),
        Variants = JsonSerializer.Serialize(s.Variants, SurveyMapping.ColumnJson),
        Reasons = s.Reasons is null ? null : JsonSerializer.Serialize(s.Reasons, SurveyMapping.ColumnJson),
        s.EmailFallbackDays,
        s.CreatedAt,
        s.UpdatedAt,
    };

    /// <summary>Row shape of <c>surveys</c>.</summary>
    sealed class SurveyRow
    {
        public string Id { get; set; } = "";
        public string WorkspaceId { get; set; } = "";
        public string Name { get; set; } = "";
        public string Kind { get; set; } = "nps";
        public long Active { get; set; }
        public long Priority { get; set; }
        public string? Trigger { get; set; }
        public long FirstSurveyDelayDays { get; set; }
        public long ResurveyDays { get; set; }
        public long DeclineCooldownDays { get; set; }
        public long ReshowAfterIgnoredDays { get; set; }
        public double SamplePercent { get; set; }
        public long? DailyCap { get; set; }
        public string Targeting { get; set; } = "[]";
        public string ExcludeEmailDomains { get; set; } = "[]";
        public string Texts { get; set; } = "{}";
        public string Theme { get; set; } = "{}";
        public string Variants { get; set; } = "[]";
        public string? Reasons { get; set; }
        public long? EmailFallbackDays { get; set; }
        public long CreatedAt { get; set; }
        public long UpdatedAt { get; set; }

        public Survey ToSurvey()
        {
            var theme = JsonSerializer.Deserialize<ThemeInput>(Theme, SurveyMapping.ColumnJson);
            return new Survey(Id, WorkspaceId, Name, Kind, Active != 0, (int)Priority, Trigger, (int)FirstSurveyDelayDays,
                (int)ResurveyDays, (int)DeclineCooldownDays, (int)ReshowAfterIgnoredDays, SamplePercent, (int?)DailyCap,
                JsonSerializer.Deserialize<List<TargetingCondition>>(Targeting, SurveyMapping.ColumnJson) ?? [],
                JsonSerializer.Deserialize<List<string>>(ExcludeEmailDomains, SurveyMapping.ColumnJson) ?? [],
                JsonSerializer.Deserialize<Dictionary<string, TextOverrides>>(Texts, SurveyMapping.ColumnJson) ?? [],
                new SurveyTheme(theme?.Color ?? SurveyDefaults.Color, theme?.Position ?? SurveyDefaults.Position),
                CreatedAt, UpdatedAt)
            {
                Variants = JsonSerializer.Deserialize<List<SurveyVariant>>(Variants, SurveyMapping.ColumnJson) ?? [],
                Reasons = Reasons is null ? null : JsonSerializer.Deserialize<SurveyReasons>(Reasons, SurveyMapping.ColumnJson),
                EmailFallbackDays = (int?)EmailFallbackDays,
            };
        }
    }
}
