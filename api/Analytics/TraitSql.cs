namespace Pulse.Api.Analytics;

/// <summary>
/// How a trait snapshot value becomes a segment value, in SQL, so the write hook, the migration's
/// backfill and the raw-row reads agree by construction: scalar JSON values only, as text —
/// strings as they are, numbers as SQLite prints them (<c>48000</c>, <c>4.5</c>), booleans as
/// <c>true</c>/<c>false</c>. Objects, arrays and nulls are not segments. The SQL text is built
/// once from constants; values always travel as parameters.
/// </summary>
static class TraitSql
{
    /// <summary>Rows of <c>json_each(...) j</c> that are segments.</summary>
    public const string EachIsSegment = "j.type IN ('text', 'integer', 'real', 'true', 'false') AND j.key <> ''";

    /// <summary>The segment value of a <c>json_each(...) j</c> row.</summary>
    public const string EachValue = "CASE j.type WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' ELSE CAST(j.atom AS TEXT) END";

    /// <summary>The segment value of <c>d.traits</c> at the JSON path the SQL expression <paramref name="path"/> gives (null when absent).</summary>
    public static string ValueAt(string path) => ValueIn("d.traits", path);

    /// <summary>The segment value of the JSON document <paramref name="doc"/> (an SQL expression: a column or a parameter) at <paramref name="path"/>.</summary>
    public static string ValueIn(string doc, string path) => $"""
        (CASE json_type({doc}, {path})
             WHEN 'true' THEN 'true' WHEN 'false' THEN 'false'
             WHEN 'text' THEN json_extract({doc}, {path})
             WHEN 'integer' THEN CAST(json_extract({doc}, {path}) AS TEXT)
             WHEN 'real' THEN CAST(json_extract({doc}, {path}) AS TEXT) END)
        """;

    /// <summary>
    /// The segment value at a path: the display's own locale or variant for the reserved keys
    /// (<see cref="DisplayFields"/>), else the trait snapshot's value.
    /// </summary>
    static string SegmentAt(string path) =>
        $"(CASE {path} WHEN '{PathOf(DisplayFields.Locale)}' THEN d.locale WHEN '{PathOf(DisplayFields.Variant)}' THEN d.variant WHEN '{PathOf(DisplayFields.Channel)}' THEN d.channel ELSE {ValueAt(path)} END)";

    /// <summary>The segment value at <c>@GroupPath</c>; '' for every row when the path is null (the "all" segment).</summary>
    public static readonly string GroupValue = $"CASE WHEN @GroupPath IS NULL THEN '' ELSE {SegmentAt("@GroupPath")} END";

    /// <summary>True when <c>d</c> matches every <c>key: value</c> of the JSON object <c>@Filters</c>.</summary>
    public static readonly string MatchesFilters =
        $"NOT EXISTS (SELECT 1 FROM json_each(@Filters) f WHERE {SegmentAt("'$.\"' || f.key || '\"'")} IS DISTINCT FROM f.value)";

    /// <summary>The JSON path of a trait key (keys with quotes or backslashes are refused before this).</summary>
    public static string PathOf(string key) => "$.\"" + key + "\"";
}

/// <summary>
/// Fields of the display that segment NPS like traits: <c>groupBy=locale</c>, <c>groupBy=variant</c> and <c>groupBy=channel</c>
/// (and <c>where[locale]</c>, <c>where[variant]</c>, <c>where[channel]</c>) name them. In the aggregates and the SQL they are
/// the keys <c>@locale</c>, <c>@variant</c> and <c>@channel</c>, which no trait key can be (trait keys start with a letter or '_').
/// </summary>
public static class DisplayFields
{
    public const string Locale = "@locale";
    public const string Variant = "@variant";
    public const string Channel = "@channel";

    /// <summary>The aggregate key a <c>groupBy</c> or <c>where</c> name stands for.</summary>
    public static string KeyOf(string name) => name switch
    {
        "locale" => Locale,
        "variant" => Variant,
        "channel" => Channel,
        _ => name,
    };
}
