using System.Data.Common;
using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Dapper;
using Microsoft.Data.Sqlite;
using Pulse.Api.Storage;
using Pulse.Api.Surveys;

namespace Pulse.Api.Analytics;

/// <summary>The filters shared by the response list and the CSV export.</summary>
public sealed record ResponseFilter(
    string WorkspaceId,
    string? SurveyId,
    long From,
    long To,
    IReadOnlyList<string>? Categories,
    IReadOnlyDictionary<string, string> Where,
    string? Text,
    bool WithComment = false,
    string? Tag = null);

/// <summary>A position in the newest-first order: the (created_at, id) of the last item seen.</summary>
public readonly record struct ResponseCursor(long CreatedAt, long Id)
{
    public string Encode() =>
        Base64Url.EncodeToString(Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{CreatedAt}.{Id}")));

    public static bool TryDecode(string text, out ResponseCursor cursor)
    {
        cursor = default;
        try
        {
            var parts = Encoding.ASCII.GetString(Base64Url.DecodeFromChars(text)).Split('.');
            if (parts.Length == 2
                && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var at)
                && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            {
                cursor = new ResponseCursor(at, id);
                return true;
            }
        }
        catch (FormatException)
        {
        }
        return false;
    }
}

/// <summary>A response joined with its display, as read for the list and the export.</summary>
public sealed class ResponseRow
{
    public long Id { get; set; }
    public string SurveyId { get; set; } = "";
    public string UserId { get; set; } = "";
    public string? Email { get; set; }
    public long Score { get; set; }
    public string Category { get; set; } = "";
    public string? Comment { get; set; }
    public string? FollowUp { get; set; }
    public string Traits { get; set; } = "{}";
    public string? Url { get; set; }
    public string? Locale { get; set; }
    public long CreatedAt { get; set; }
    public long UpdatedAt { get; set; }
    public string? Tags { get; set; }
    public string? Reasons { get; set; }
    public string? ReasonOther { get; set; }

    public ResponseItem ToItem() => new(Id, SurveyId, UserId, Email, (int)Score, Category, Comment,
        FollowUp is null ? null : Parse(FollowUp), Parse(Traits), Url, Locale,
        Db.FromUnixMs(CreatedAt), Db.FromUnixMs(UpdatedAt), TagSql.Parse(Tags))
    { Reasons = TagSql.Parse(Reasons), ReasonOther = ReasonOther };

    static JsonElement Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.Clone();
    }
}

/// <summary>
/// Reads responses newest first with their display's snapshot. Paging is by (created_at, id)
/// — a keyset, not an offset — so responses that arrive while a client pages come before its
/// cursor and never shift or repeat the pages it has yet to read.
/// </summary>
public sealed class ResponseReadStore(Db db, MetricsStore metrics, SurveyStore surveys)
{
    const string Columns = $"""
        r.id AS Id, r.survey_id AS SurveyId, r.user_id AS UserId, d.email AS Email, r.score AS Score,
        r.category AS Category, r.comment AS Comment, r.follow_up AS FollowUp, d.traits AS Traits,
        d.url AS Url, d.locale AS Locale, r.created_at AS CreatedAt, r.updated_at AS UpdatedAt,
        {TagSql.TagsOfResponse} AS Tags, {ReasonSql.IdsOfResponse} AS Reasons, {ReasonSql.OtherOfResponse} AS ReasonOther
        """;

    // The workspace index (workspace_id, created_at, id) serves the order and the keyset bound.
    const string Source = "FROM responses r JOIN displays d ON d.id = r.display_id";

    /// <summary>
    /// The filter of a <see cref="Variant"/>: the comment text scanned (0), first looked up in SQLite's FTS5 index (1,
    /// <see cref="CommentSearch"/>) or in PostgreSQL's trigram index (2, <see cref="CommentSearch.Trigrams"/>), no match (3),
    /// or SQLite's FTS5 matches driving the read (4, <see cref="ByMatches"/>): each match's row is looked up by id and the
    /// range and scope are tested on it, instead of the range's rows being walked in time order and tested against the matches.
    /// </summary>
    static string Filter(int variant, bool traits = true)
    {
        // A unary + keeps a term off the indexes, so SQLite's planner cannot start from the range (decisions Q4).
        var off = variant == ByMatches ? "+" : "";
        return $"""
            WHERE {off}r.workspace_id = @WorkspaceId
              AND (@SurveyId IS NULL OR {off}r.survey_id = @SurveyId)
              AND {off}r.created_at >= @From AND {off}r.created_at < @To
              AND ({off}r.created_at, {off}r.id) < (@BeforeAt, @BeforeId)
              AND (@Categories IS NULL OR r.category IN (SELECT value FROM json_each(@Categories)))
              {variant switch { 1 or ByMatches => $"AND r.id IN ({CommentSearch.Matching})", 2 => $"AND {CommentSearch.Trigrams}", _ => "" }}
              {variant switch
              {
                  3 => "AND 1 = 0",
                  // The FTS5 phrase is the substring test itself, over the same folding (decisions Q4 refines P5).
                  1 or ByMatches => "",
                  _ => "AND (@Text IS NULL OR instr(pulse_fold(r.comment), @Text) > 0)",
              }}
              AND (CAST(@WithComment AS INTEGER) = 0 OR (r.comment IS NOT NULL AND r.comment <> ''))
              {(traits ? $"AND {TraitSql.MatchesFilters}" : "")}
              AND {TagSql.HasTag}
            """;
    }

    /// <summary>The <see cref="Variant"/> whose read starts from the FTS5 matches (SQLite; decisions Q4).</summary>
    internal const int ByMatches = 4;

    /// <summary>
    /// At most this many FTS5 matches in the whole file (every workspace's), a page starts from the matches: a lookup
    /// each, then a sort. With more, it walks the range newest first, which stops after a page of matches — few rows
    /// when matches are that common (decisions Q4).
    /// </summary>
    internal const long PageByMatchesUpTo = 20_000;

    /// <summary>
    /// At most this many FTS5 matches, the total is counted from the matches (a lookup each) rather than by walking every
    /// row of the range, which costs as much as the range is long however few rows match (decisions Q4).
    /// </summary>
    internal const long CountByMatchesUpTo = 200_000;

    /// <summary>The FTS5 matches of <c>@Phrase</c> in the whole file, counted up to <c>@Cap</c>: what reading from them would cost.</summary>
    const string MatchCount = $"SELECT COUNT(*) FROM ({CommentSearch.Matching} LIMIT @Cap)";

    /// <summary>
    /// <paramref name="variant"/>, or <see cref="ByMatches"/> when it is the FTS5 lookup and the matches number at most
    /// <paramref name="upTo"/> (<paramref name="matches"/> counts them once per request).
    /// </summary>
    static int Driven(DbConnection c, ResponseFilter f, int variant, long upTo, ref long? matches)
    {
        if (variant != 1)
            return variant;
        matches ??= c.ExecuteScalar<long>(MatchCount, new { Phrase = CommentSearch.PhraseOf(Fold(f.Text)), Cap = CountByMatchesUpTo + 1 });
        return matches <= upTo ? ByMatches : variant;
    }

    static readonly int[] Variants = [0, 1, 2, 3, ByMatches];

    static readonly string[] Page = [.. Variants.Select(i => $"SELECT {Columns} {Source} {Filter(i)} ORDER BY r.created_at DESC, r.id DESC LIMIT @Limit")];

    static readonly string[] TraitKeys = [.. Variants.Select(i => $"SELECT DISTINCT j.key {Source}, json_each(d.traits) j {Filter(i)} ORDER BY j.key")];

    internal static readonly string[] Count = [.. Variants.Select(i => $"SELECT COUNT(*) {Source} {Filter(i)}")];

    /// <summary><see cref="Count"/> without a trait filter: the answers alone, no display row read for each (decisions Q4).</summary>
    internal static readonly string[] CountWithoutTraits = [.. Variants.Select(i => $"SELECT COUNT(*) FROM responses r {Filter(i, traits: false)}")];

    /// <summary>
    /// 0 for a scan; when <c>q</c> has a trigram, 1 on SQLite (FTS5, decision P5) and 2 on PostgreSQL (pg_trgm, migration 0200);
    /// 3 when <c>q</c> holds a NUL on PostgreSQL, whose text cannot hold one (the server refuses the byte, in a comment as in
    /// a parameter): no comment stored there contains it, and the statement does not send it.
    /// </summary>
    static int Variant(DbConnection c, ResponseFilter f) =>
        c is not SqliteConnection && f.Text is not null && f.Text.Contains('\0', StringComparison.Ordinal) ? 3
        : CommentSearch.PhraseOf(Fold(f.Text)) is null ? 0 : c is SqliteConnection ? 1 : 2;

    // The user's answers in the workspace (index responses_user_time), oldest first; the response itself among them.
    const string SelectOfUser = $"""
        SELECT {Columns} {Source}
        WHERE r.workspace_id = @WorkspaceId
          AND r.user_id = (SELECT user_id FROM responses WHERE workspace_id = @WorkspaceId AND id = @Id)
        ORDER BY r.created_at DESC, r.id DESC LIMIT @Limit
        """;

    public ResponsePage List(ResponseFilter filter, ResponseCursor? cursor, int limit)
    {
        using var c = Open();
        long? matches = null;
        var rows = c.Query<ResponseRow>(Page[Driven(c, filter, Variant(c, filter), PageByMatchesUpTo, ref matches)],
            Parameters(filter, cursor, limit + 1)).ToList();
        var more = rows.Count > limit;
        if (more)
            rows.RemoveAt(rows.Count - 1);
        var next = more ? new ResponseCursor(rows[^1].CreatedAt, rows[^1].Id).Encode() : null;
        // The first page says how many match in all ("25 of 2,679"); later pages would only repeat it.
        long? total = cursor is null ? (more ? Total(c, filter, ref matches) : rows.Count) : null;
        return new ResponsePage(rows.Select(r => r.ToItem()).ToList(), next, total);
    }

    /// <summary>How many responses match: from the aggregates when they answer the filter (<see cref="TotalFromAggregates"/>), else counted.</summary>
    long Total(DbConnection c, ResponseFilter filter, ref long? matches) =>
        TotalFromAggregates(c, filter)
        ?? c.ExecuteScalar<long>((filter.Where.Count == 0 ? CountWithoutTraits : Count)[Driven(c, filter, Variant(c, filter), CountByMatchesUpTo, ref matches)],
            Parameters(filter, null, Unbounded));

    // The first and last answer in the range: each one seek of responses_workspace_time (or responses_survey_time).
    const string Extent = """
        SELECT (SELECT min(created_at) FROM responses WHERE workspace_id = @WorkspaceId AND created_at >= @From AND created_at < @To) AS First,
               (SELECT max(created_at) FROM responses WHERE workspace_id = @WorkspaceId AND created_at >= @From AND created_at < @To) AS Last
        """;

    const string ExtentOfSurvey = """
        SELECT (SELECT min(created_at) FROM responses WHERE survey_id = @SurveyId AND created_at >= @From AND created_at < @To) AS First,
               (SELECT max(created_at) FROM responses WHERE survey_id = @SurveyId AND created_at >= @From AND created_at < @To) AS Last
        """;

    /// <summary>
    /// The total of the list from the NPS aggregates (decision RL1), or null when they cannot answer: a comment search,
    /// <c>withComment</c> or a tag (not in the aggregates), three or more trait filters, or two of which not both are
    /// listed for pairs. The aggregates count each answer at its <c>created_at</c> by survey, segment and category
    /// column, as the list filters it; <see cref="MetricsStore"/> reads them over the range exactly (day rows, hour rows
    /// and raw rows for part-hours at the edges, decisions Q1 and Q2). An unbounded end is first brought in to the UTC
    /// day of the first or last answer in the range, so a list without <c>from</c> reads day rows only.
    /// </summary>
    internal long? TotalFromAggregates(DbConnection c, ResponseFilter f)
    {
        if (f.Text is not null || f.WithComment || f.Tag is not null || f.Where.Count > 2
            || (f.Where.Count == 2 && !PairAggregates.Stored(c).IsSupersetOf(f.Where.Keys)))
            return null;
        var extent = c.QuerySingle<(long? First, long? Last)>(c.Sql(f.SurveyId is null ? Extent : ExtentOfSurvey),
            new { f.WorkspaceId, f.SurveyId, f.From, f.To });
        if (extent is not { First: { } first, Last: { } last })
            return 0;
        var from = Math.Max(f.From, TimeBuckets.FloorDiv(first, TimeBuckets.DayMs) * TimeBuckets.DayMs);
        var to = Math.Min(f.To, (TimeBuckets.FloorDiv(last, TimeBuckets.DayMs) + 1) * TimeBuckets.DayMs);
        var buckets = TimeBuckets.Split(from, to, null, TimeZoneInfo.Utc)!;
        var total = 0L;
        // A survey's kind is fixed (K2) and its answers' categories are that kind's, so a category filter picks columns per kind.
        foreach (var (kind, ids) in SurveysByKind(f))
        {
            var categories = kind.Categories;
            var counted = categories.Select(k => f.Categories is null || f.Categories.Contains(k.Name)).ToArray();
            if (!counted.Any(x => x))
                continue;
            var counts = metrics.Read(new MetricsQuery(ids, from, to, null, TimeZoneInfo.Utc, null, f.Where), buckets);
            // Categories are lowest first: negative, middle, positive (detractors, passives, promoters).
            total += (counted[0] ? counts.Detractors : 0) + (counted[1] ? counts.Passives : 0) + (counted[2] ? counts.Promoters : 0);
        }
        return total;
    }

    /// <summary>The surveys of the list per kind: the one asked for, or every survey of the workspace (deleted ones too: their answers stay in the list).</summary>
    IEnumerable<(QuestionKind Kind, IReadOnlyList<string> Ids)> SurveysByKind(ResponseFilter f)
    {
        if (f.SurveyId is { } one)
        {
            if (surveys.Kind(one) is { } name)
                yield return (QuestionKinds.Of(name), [one]);
            yield break;
        }
        foreach (var kind in QuestionKinds.All)
            if (surveys.Ids(f.WorkspaceId, null, SurveyUse.Reports, kind.Name) is { Count: > 0 } ids)
                yield return (kind, ids);
    }

    /// <summary>
    /// A response of the workspace with the same user's answers (the <paramref name="limit"/> newest,
    /// oldest first, the response itself among them), or null when the workspace has no such response.
    /// </summary>
    public ResponseDetail? Detail(string workspaceId, long id, int limit)
    {
        using var c = Open();
        var rows = c.Query<ResponseRow>(SelectOfUser, new { WorkspaceId = workspaceId, Id = id, Limit = limit }).ToList();
        if (rows.Find(r => r.Id == id) is not { } row)
        {
            // Beyond the newest answers of a very active user: read it alone.
            row = c.QuerySingleOrDefault<ResponseRow>($"SELECT {Columns} {Source} WHERE r.workspace_id = @WorkspaceId AND r.id = @Id",
                new { WorkspaceId = workspaceId, Id = id });
            if (row is null)
                return null;
        }
        rows.Reverse();
        return new ResponseDetail(row.ToItem(), rows.Select(r => r.ToItem()).ToList());
    }

    /// <summary>Every trait key of the matching responses' snapshots, sorted: the export's extra columns.</summary>
    public IReadOnlyList<string> TraitKeysOf(ResponseFilter filter)
    {
        using var c = Open();
        return c.Query<string>(TraitKeys[Variant(c, filter)], Parameters(filter, null, Unbounded)).ToList();
    }

    /// <summary>The matching responses, newest first, read one at a time as the caller enumerates (constant memory).</summary>
    public IEnumerable<ResponseRow> Stream(ResponseFilter filter)
    {
        using var c = Open();
        foreach (var row in c.Query<ResponseRow>(Page[Variant(c, filter)], Parameters(filter, null, Unbounded), buffered: false))
            yield return row;
    }

    DbConnection Open()
    {
        var c = db.OpenForScans();
        // Registered on every connection: SQLite resolves functions when it prepares the statement.
        // PostgreSQL's is part of its schema (Storage/Migrations/postgres).
        if (c is SqliteConnection sqlite)
            sqlite.CreateFunction<string?, string?>("pulse_fold", Fold, isDeterministic: true);
        return c;
    }

    /// <summary>Case folding for comment search, the same for the query and the stored text.</summary>
    public static string? Fold(string? text) => text?.ToUpperInvariant();

    /// <summary>The <c>LIMIT</c> of a read without one: SQLite takes -1 for that, PostgreSQL refuses a negative limit (GA2).</summary>
    const long Unbounded = long.MaxValue;

    static object Parameters(ResponseFilter f, ResponseCursor? cursor, long limit) => new
    {
        f.WorkspaceId,
        f.SurveyId,
        f.From,
        f.To,
        BeforeAt = cursor?.CreatedAt ?? long.MaxValue,
        BeforeId = cursor?.Id ?? long.MaxValue,
        Categories = f.Categories is null ? null : JsonSerializer.Serialize(f.Categories),
        Text = Fold(f.Text),
        Phrase = CommentSearch.PhraseOf(Fold(f.Text)),
        Pattern = CommentSearch.PatternOf(Fold(f.Text)),
        Filters = JsonSerializer.Serialize(f.Where),
        f.WithComment,
        f.Tag,
        Limit = limit,
    };
}
