namespace Pulse.Api.Storage;

/// <summary>The database behind <c>ConnectionStrings:Pulse</c> (<c>Storage:Provider</c>).</summary>
public enum StorageProvider
{
    Sqlite,
    Postgres,
}

/// <summary>
/// The few SQL fragments whose text differs between SQLite and PostgreSQL; everything else is shared
/// text (docs/decisions.md G4). JSON travels as text on both: a parameter holding a JSON array, a
/// traits column holding a JSON object.
/// </summary>
public abstract class SqlDialect
{
    public static readonly SqlDialect Sqlite = new SqliteDialect();
    public static readonly SqlDialect Postgres = new PostgresDialect();

    public static SqlDialect For(StorageProvider provider) => provider == StorageProvider.Postgres ? Postgres : Sqlite;

    /// <summary>Rows <c>(value)</c> of the JSON array of strings in <paramref name="json"/> (a parameter or column), as a FROM item.</summary>
    public abstract string EachText(string json);

    /// <summary>Rows <c>(value)</c> of the JSON array of integers in <paramref name="json"/>, as a FROM item.</summary>
    public abstract string EachInteger(string json);

    /// <summary>Null-safe equality (SQLite <c>IS</c>).</summary>
    public abstract string Same(string left, string right);

    /// <summary>Null-safe inequality (SQLite <c>IS NOT</c>).</summary>
    public string Differs(string left, string right) => $"NOT ({Same(left, right)})";

    /// <summary>The larger of two values (SQLite's two-argument <c>MAX</c>).</summary>
    public abstract string Greatest(string left, string right);

    /// <summary>Whether <paramref name="needle"/> occurs in <paramref name="text"/>, both folded with <c>pulse_fold</c>.</summary>
    public abstract string FoldedContains(string text, string needle);

    /// <summary>A 64 KiB blob of zero bytes (the storage-full probe).</summary>
    public abstract string ZeroBlob64K { get; }

    /// <summary>
    /// In a grouped query whose only other aggregate is <c>max(<paramref name="order"/>)</c>: <paramref name="column"/>
    /// of the group's row with the largest <paramref name="order"/>. SQLite takes a bare column from that row;
    /// PostgreSQL wants every column aggregated or grouped (decisions GA2).
    /// </summary>
    public abstract string OfLatest(string column, string order);

    sealed class SqliteDialect : SqlDialect
    {
        public override string EachText(string json) => $"json_each({json})";

        public override string EachInteger(string json) => $"json_each({json})";

        public override string Same(string left, string right) => $"{left} IS {right}";

        public override string Greatest(string left, string right) => $"MAX({left}, {right})";

        public override string FoldedContains(string text, string needle) => $"instr(pulse_fold({text}), {needle}) > 0";

        public override string ZeroBlob64K => "zeroblob(65536)";

        public override string OfLatest(string column, string order) => column;
    }

    sealed class PostgresDialect : SqlDialect
    {
        public override string EachText(string json) => $"jsonb_array_elements_text(CAST({json} AS jsonb)) AS each_text(value)";

        public override string EachInteger(string json) =>
            $"(SELECT CAST(e AS BIGINT) AS value FROM jsonb_array_elements_text(CAST({json} AS jsonb)) AS each_int(e)) AS each_int_rows";

        public override string Same(string left, string right) => $"{left} IS NOT DISTINCT FROM {right}";

        public override string Greatest(string left, string right) => $"GREATEST({left}, {right})";

        // The query was folded by .NET; folding it again makes both sides the same (ICU maps ß to SS, .NET does not).
        public override string FoldedContains(string text, string needle) => $"strpos(pulse_fold({text}), pulse_fold({needle})) > 0";

        public override string ZeroBlob64K => "decode(repeat('00', 65536), 'hex')";

        public override string OfLatest(string column, string order) => $"(array_agg({column} ORDER BY {order} DESC))[1]";
    }
}

public static class DialectExtensions
{
    static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> PostgresTexts = new(StringComparer.Ordinal);

    /// <summary>
    /// <paramref name="sql"/> as this connection's database needs it. Dapper expands a list parameter
    /// (<c>IN @Ids</c>) into one parameter per item on SQLite, but hands Npgsql the list as one array, so on
    /// PostgreSQL <c>IN @X</c> becomes <c>= ANY(@X)</c> and <c>NOT IN @X</c> <c>&lt;&gt; ALL(@X)</c> (G4).
    /// </summary>
    public static string Sql(this System.Data.Common.DbConnection connection, string sql) =>
        connection is Microsoft.Data.Sqlite.SqliteConnection ? sql : PostgresTexts.GetOrAdd(sql, ToPostgres);

    static string ToPostgres(string sql) =>
        System.Text.RegularExpressions.Regex.Replace(
            System.Text.RegularExpressions.Regex.Replace(sql, @"\bNOT IN @(\w+)", "<> ALL(@$1)"), @"\bIN @(\w+)", "= ANY(@$1)");
}
