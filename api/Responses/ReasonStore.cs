using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;
using Pulse.Api.Surveys;

namespace Pulse.Api.Responses;

/// <summary>The reasons an answer chose: their ids, and the text of "Other" when it was chosen.</summary>
public sealed record ChosenReasons(IReadOnlyList<string> Ids, string? Other)
{
    public static readonly ChosenReasons None = new([], null);

    public bool SameAs(ChosenReasons other) => Ids.SequenceEqual(other.Ids) && Other == other.Other;
}

/// <summary>
/// The one store with SQL that writes <c>response_reasons</c>: one row per chosen reason id of a
/// response (<c>other</c> with its text). Called by <see cref="ResponseStore"/> inside its command.
/// </summary>
public static class ReasonStore
{
    const string Select = "SELECT reason_id AS Id, other_text AS Other FROM response_reasons WHERE response_id = @ResponseId ORDER BY reason_id";
    const string Delete = "DELETE FROM response_reasons WHERE response_id = @ResponseId";
    const string Insert = "INSERT INTO response_reasons (response_id, reason_id, other_text) VALUES (@ResponseId, @Id, @Other)";

    sealed record Row(string Id, string? Other);

    /// <summary>The reasons of a response, ids in order.</summary>
    public static ChosenReasons Read(DbConnection c, DbTransaction tx, long responseId)
    {
        var rows = c.Query<Row>(Select, new { ResponseId = responseId }, tx).ToList();
        return rows.Count == 0 ? ChosenReasons.None
            : new ChosenReasons(rows.Select(r => r.Id).ToList(), rows.FirstOrDefault(r => r.Id == ReasonsValidation.OtherId)?.Other);
    }

    /// <summary>Replaces the reasons of a response.</summary>
    public static void Replace(DbConnection c, DbTransaction tx, long responseId, ChosenReasons reasons)
    {
        c.Execute(Delete, new { ResponseId = responseId }, tx);
        foreach (var id in reasons.Ids)
            c.Execute(Insert, new { ResponseId = responseId, Id = id, Other = id == ReasonsValidation.OtherId ? reasons.Other : null }, tx);
    }
}
