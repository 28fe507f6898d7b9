using Dapper;
using Microsoft.Data.Sqlite;
using Pulse.Api.Responses;
using Pulse.Api.Storage;

namespace Pulse.Api.Analytics;

/// <summary>
/// Keeps <c>nps_daily</c> and <c>nps_hourly</c> in step with displays and responses, inside the
/// writer's transaction: a display adds one to <c>displays</c>, a response one to its category, in
/// the row for all data and in one row per trait of the display's snapshot. An update that changes
/// the category moves the count; an erasure takes it away and deletes rows left at zero, so no
/// trait value of an erased user stays behind.
/// </summary>
public sealed class NpsAggregateHook : IWriteHook
{
    const string Rows = $"""
        SELECT @SurveyId, '', @Bucket, '', @Displays, @Promoters, @Passives, @Detractors
        UNION ALL
        SELECT @SurveyId, j.key, @Bucket, {TraitSql.EachValue}, @Displays, @Promoters, @Passives, @Detractors
        FROM json_each(@Traits) j WHERE {TraitSql.EachIsSegment}
        """;

    const string Set = """
        DO UPDATE SET displays = a.displays + excluded.displays, promoters = a.promoters + excluded.promoters,
                      passives = a.passives + excluded.passives, detractors = a.detractors + excluded.detractors
        """;

    const string AddDaily = $"""
        INSERT INTO nps_daily AS a (survey_id, trait_key, day, trait_value, displays, promoters, passives, detractors)
        {Rows}
        ON CONFLICT (survey_id, trait_key, day, trait_value) {Set}
        """;

    const string AddHourly = $"""
        INSERT INTO nps_hourly AS a (survey_id, trait_key, hour, trait_value, displays, promoters, passives, detractors)
        {Rows}
        ON CONFLICT (survey_id, trait_key, hour, trait_value) {Set}
        """;

    const string Keys = $"SELECT '', '' UNION ALL SELECT j.key, {TraitSql.EachValue} FROM json_each(@Traits) j WHERE {TraitSql.EachIsSegment}";

    const string Empty = "displays = 0 AND promoters = 0 AND passives = 0 AND detractors = 0";

    const string PruneDaily = $"""
        DELETE FROM nps_daily
        WHERE survey_id = @SurveyId AND day = @Bucket AND (trait_key, trait_value) IN ({Keys}) AND {Empty}
        """;

    const string PruneHourly = $"""
        DELETE FROM nps_hourly
        WHERE survey_id = @SurveyId AND hour = @Bucket AND (trait_key, trait_value) IN ({Keys}) AND {Empty}
        """;

    public void DisplayCreated(SqliteConnection c, SqliteTransaction tx, DisplayWritten display) =>
        Add(c, tx, display, display.ShownAt, new NpsCounts(1, 0, 0, 0));

    public void ResponseSaved(SqliteConnection c, SqliteTransaction tx, ResponseWritten response)
    {
        if (response.Created)
        {
            Add(c, tx, response.Display, response.CreatedAt, Of(response.Category, 1));
            return;
        }
        if (response.PreviousCategory is null || response.PreviousCategory == response.Category)
            return;
        // The response keeps its created_at, so it stays in its bucket and only changes category.
        var moved = Of(response.Category, 1) + Of(response.PreviousCategory, -1);
        Add(c, tx, response.Display, response.CreatedAt, moved);
    }

    public void ResponseDeleted(SqliteConnection c, SqliteTransaction tx, ResponseWritten response) =>
        Remove(c, tx, response.Display, response.CreatedAt, Of(response.Category, -1));

    public void DisplayDeleted(SqliteConnection c, SqliteTransaction tx, DisplayWritten display) =>
        Remove(c, tx, display, display.ShownAt, new NpsCounts(-1, 0, 0, 0));

    static NpsCounts Of(string category, int delta) => category switch
    {
        NpsCategory.Promoter => new NpsCounts(0, delta, 0, 0),
        NpsCategory.Passive => new NpsCounts(0, 0, delta, 0),
        NpsCategory.Detractor => new NpsCounts(0, 0, 0, delta),
        _ => throw new ArgumentOutOfRangeException(nameof(category), category, "Not an NPS category."),
    };

    static void Add(SqliteConnection c, SqliteTransaction tx, DisplayWritten display, long at, NpsCounts delta)
    {
        c.Execute(AddDaily, Parameters(display, TimeBuckets.FloorDiv(at, TimeBuckets.DayMs), delta), tx);
        c.Execute(AddHourly, Parameters(display, TimeBuckets.FloorDiv(at, TimeBuckets.HourMs), delta), tx);
    }

    static void Remove(SqliteConnection c, SqliteTransaction tx, DisplayWritten display, long at, NpsCounts delta)
    {
        var day = Parameters(display, TimeBuckets.FloorDiv(at, TimeBuckets.DayMs), delta);
        var hour = Parameters(display, TimeBuckets.FloorDiv(at, TimeBuckets.HourMs), delta);
        c.Execute(AddDaily, day, tx);
        c.Execute(PruneDaily, day, tx);
        c.Execute(AddHourly, hour, tx);
        c.Execute(PruneHourly, hour, tx);
    }

    static object Parameters(DisplayWritten display, long bucket, NpsCounts delta) => new
    {
        display.SurveyId,
        Bucket = bucket,
        Traits = string.IsNullOrEmpty(display.TraitsJson) ? "{}" : display.TraitsJson,
        delta.Displays,
        delta.Promoters,
        delta.Passives,
        delta.Detractors,
    };
}
