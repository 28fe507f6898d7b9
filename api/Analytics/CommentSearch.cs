using System.Data.Common;
using System.Text;
using Dapper;
using Microsoft.Data.Sqlite;
using Pulse.Api.Responses;
using Pulse.Api.Storage;

namespace Pulse.Api.Analytics;

/// <summary>
/// The FTS5 index of comments behind <c>q</c> (decision P5): <c>comment_search</c> holds each
/// response's comment folded by <see cref="ResponseReadStore.Fold"/> under the response's id, in
/// trigrams (<c>case_sensitive 1</c>: no folding of its own), so <c>MATCH</c> on the folded query as
/// one phrase finds exactly the comments that contain it. Reads keep the substring test as well,
/// so the answer is the scan's by construction. Queries under three characters have no trigram
/// and scan instead. On PostgreSQL a trigram index answers the same question (<see cref="Trigrams"/>, decisions GB2).
/// </summary>
public sealed class CommentSearch : IResponseHook
{
    /// <summary>The responses whose folded comment contains <c>@Phrase</c> (an FTS5 phrase, <see cref="PhraseOf"/>).</summary>
    public const string Matching = "SELECT rowid FROM comment_search WHERE comment_search MATCH @Phrase";

    /// <summary>
    /// PostgreSQL's lookup (migration 0200): the folded comment matches <c>@Pattern</c> (<see cref="PatternOf"/>), which
    /// a GIN index of <c>pulse_fold(comment)</c> with <c>gin_trgm_ops</c> answers by its trigrams, rechecked on the row.
    /// </summary>
    public const string Trigrams = "pulse_fold(r.comment) LIKE @Pattern";

    const string Insert = "INSERT INTO comment_search (rowid, text) VALUES (@Id, @Text)";
    const string Delete = "DELETE FROM comment_search WHERE rowid = @Id";

    /// <summary>
    /// The FTS5 phrase of a folded query, or null when the caller scans: too short for trigrams
    /// (fewer than three characters), or holding a NUL, which ends an FTS5 query string.
    /// </summary>
    public static string? PhraseOf(string? folded) =>
        folded is null || folded.Contains('\0', StringComparison.Ordinal) || folded.EnumerateRunes().Take(3).Count() < 3
            ? null
            : "\"" + folded.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>
    /// The LIKE pattern of PostgreSQL's lookup, "contains <paramref name="folded"/>": its <c>%</c>, <c>_</c> and <c>\</c> escaped with
    /// PostgreSQL's default escape character, the backslash.
    /// </summary>
    public static string? PatternOf(string? folded) =>
        folded is null
            ? null
            : "%" + folded.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal)
                .Replace("_", "\\_", StringComparison.Ordinal) + "%";

    public void ResponseSaved(DbConnection c, DbTransaction tx, ResponseWritten response)
    {
        if (c is not SqliteConnection)
            return; // PostgreSQL keeps its trigram index with the row (migration 0200, decisions GB2)
        if (!response.Created)
            c.Prepared(tx, Delete).Bind("@Id", response.ResponseId).ExecuteNonQuery();
        if (!string.IsNullOrEmpty(response.Comment))
            c.Prepared(tx, Insert).Bind("@Id", response.ResponseId).Bind("@Text", ResponseReadStore.Fold(response.Comment)).ExecuteNonQuery();
    }

    public void ResponseDeleted(DbConnection c, DbTransaction tx, ResponseWritten response)
    {
        if (c is SqliteConnection)
            c.Prepared(tx, Delete).Bind("@Id", response.ResponseId).ExecuteNonQuery();
    }

    /// <summary>
    /// Indexes every comment once, when the database predates the index (migration 0171) or was
    /// loaded without the hooks (benchmark seeding): in the caller's write transaction. True when it ran.
    /// </summary>
    public static bool Fill(DbConnection c, DbTransaction tx, bool force = false)
    {
        if (c is not SqliteConnection)
            return false;
        if (!force && c.ExecuteScalar<long>("SELECT filled FROM comment_search_state", transaction: tx) == 1)
            return false;
        c.Execute("DELETE FROM comment_search", transaction: tx);
        var rows = c.Query<(long Id, string Comment)>("SELECT id, comment FROM responses WHERE comment IS NOT NULL AND comment <> ''", transaction: tx);
        using var insert = c.CreateCommand();
        insert.Transaction = tx;
        insert.CommandText = Insert;
        var id = insert.CreateParameter();
        id.ParameterName = "@Id";
        var text = insert.CreateParameter();
        text.ParameterName = "@Text";
        insert.Parameters.Add(id);
        insert.Parameters.Add(text);
        foreach (var (rowId, comment) in rows)
        {
            id.Value = rowId;
            text.Value = ResponseReadStore.Fold(comment);
            insert.ExecuteNonQuery();
        }
        c.Execute("UPDATE comment_search_state SET filled = 1", transaction: tx);
        return true;
    }
}

/// <summary>Indexes the comments at start-up when the index is new (<see cref="CommentSearch.Fill"/>), through the writer.</summary>
sealed class CommentSearchFill(WriteQueue writer, ILogger<CommentSearchFill> log) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (await writer.ExecuteAsync((c, tx) => CommentSearch.Fill(c, tx)))
            log.LogInformation("Comment search index filled");
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
