using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using CsvHelper;
using Pulse.Api.Surveys;

namespace Pulse.Api.Analytics;

/// <summary>
/// Writes responses as CSV in constant memory: rows stream from SQLite through CsvHelper's buffer
/// to the client, so the export of a million responses holds a few of them at a time. Cells that a
/// spreadsheet would run as a formula are neutralised.
/// </summary>
public static partial class CsvExport
{
    /// <summary>The fixed columns; trait snapshot keys follow as <c>traits.&lt;key&gt;</c>.</summary>
    public static readonly IReadOnlyList<string> Columns =
        ["id", "surveyId", "kind", "userId", "email", "score", "category", "comment", "followUp", "url", "locale", "createdAt", "updatedAt", "tags", "reasons", "reasonOther"];

    public const string TraitPrefix = "traits.";

    /// <summary>
    /// A cell that a spreadsheet could run as a formula gets a leading apostrophe, so Excel,
    /// LibreOffice and Google Sheets show it as text (OWASP "CSV injection"): one whose first
    /// visible character is <c>=</c>, <c>+</c>, <c>-</c>, <c>@</c>, <c>|</c> or <c>;</c> — or a
    /// full-width or other compatibility form of one (<c>＝</c>, <c>＋</c>, <c>－</c>, <c>＠</c>,
    /// <c>−</c>…) — after any leading whitespace, control or invisible characters (space, NBSP,
    /// zero-width space, LF…), since spreadsheets that trim cells evaluate <c>" =1+1"</c>; and one
    /// that starts with a tab or carriage return. Plain numbers such as <c>-5</c> stay numbers.
    /// </summary>
    public static string? Neutralise(string? cell)
    {
        if (string.IsNullOrEmpty(cell))
            return cell;
        var i = 0;
        while (i < cell.Length && IsInvisible(cell[i]))
            i++;
        var risky = cell[0] is '\t' or '\r' || (i < cell.Length && IsFormulaStart(cell[i]));
        return !risky || PlainNumber().IsMatch(cell) ? cell : "'" + cell;
    }

    /// <summary>Whitespace, control and format characters (zero-width space, BOM, bidi marks…): what a reader cannot see.</summary>
    static bool IsInvisible(char c) =>
        char.IsWhiteSpace(c) || char.IsControl(c) || CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.Format;

    static bool IsFormulaStart(char c)
    {
        if (c == '\u2212') // MINUS SIGN: no compatibility mapping to '-', but spreadsheets read it as one
            return true;
        if (c >= 0x80 && !char.IsSurrogate(c)) // ＝ → =, ﹢ → +, ＠ → @ …; a lone surrogate cannot be normalised
        {
            var folded = c.ToString().Normalize(System.Text.NormalizationForm.FormKC);
            c = folded.Length > 0 ? folded[0] : c;
        }
        return c is '=' or '+' or '-' or '@' or '|' or ';';
    }

    static readonly CsvWriterOptions Options = CsvWriterOptions.Default with { Injection = CsvInjection.None };

    /// <summary>
    /// Writes the header and the rows to <paramref name="output"/>. CsvHelper formats into a 64 KiB
    /// buffer and writes it out asynchronously whenever it is mostly full, so memory stays constant
    /// however many rows there are; cells are neutralised here (<see cref="Neutralise"/>).
    /// </summary>
    /// <paramref name="kindOf"/> gives the question kind of a survey id (nps when absent).
    public static async Task WriteAsync(Stream output, IReadOnlyList<string> traitKeys, IEnumerable<ResponseRow> rows, CancellationToken cancellationToken,
        Func<string, string>? kindOf = null)
    {
        var csv = CsvWriter.Create(output, Options, leaveOpen: true);
        await using (csv.ConfigureAwait(false))
        {
            foreach (var column in Columns)
                csv.WriteField(column);
            foreach (var key in traitKeys)
                csv.WriteField(Neutralise(TraitPrefix + key));
            await csv.EndRecordAsync(cancellationToken).ConfigureAwait(false);

            var traits = new string?[traitKeys.Count];
            foreach (var row in rows)
            {
                csv.WriteField(row.Id.ToString(CultureInfo.InvariantCulture));
                csv.WriteField(Neutralise(row.SurveyId));
                csv.WriteField(kindOf?.Invoke(row.SurveyId) ?? QuestionKinds.NpsName);
                csv.WriteField(Neutralise(row.UserId));
                csv.WriteField(Neutralise(row.Email));
                csv.WriteField(row.Score.ToString(CultureInfo.InvariantCulture));
                csv.WriteField(row.Category);
                csv.WriteField(Neutralise(row.Comment));
                csv.WriteField(Neutralise(row.FollowUp));
                csv.WriteField(Neutralise(row.Url));
                csv.WriteField(Neutralise(row.Locale));
                csv.WriteField(Time(row.CreatedAt));
                csv.WriteField(Time(row.UpdatedAt));
                csv.WriteField(Neutralise(string.Join(", ", TagSql.Parse(row.Tags))));
                csv.WriteField(string.Join(", ", TagSql.Parse(row.Reasons)));
                csv.WriteField(Neutralise(row.ReasonOther));
                TraitCells(row.Traits, traitKeys, traits);
                foreach (var cell in traits)
                    csv.WriteField(Neutralise(cell));
                await csv.EndRecordAsync(cancellationToken).ConfigureAwait(false);
            }
            await csv.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The snapshot's value per key: scalars as text, objects and arrays as JSON, missing as empty.</summary>
    static void TraitCells(string json, IReadOnlyList<string> keys, string?[] cells)
    {
        Array.Clear(cells);
        using var doc = JsonDocument.Parse(json);
        if (doc.RootElement.ValueKind != JsonValueKind.Object)
            return;
        for (var i = 0; i < keys.Count; i++)
        {
            if (!doc.RootElement.TryGetProperty(keys[i], out var value))
                continue;
            cells[i] = value.ValueKind switch
            {
                JsonValueKind.String => value.GetString(),
                JsonValueKind.Null => null,
                _ => value.GetRawText(),
            };
        }
    }

    static string Time(long ms) =>
        DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^-?[0-9]+(\.[0-9]+)?$")]
    private static partial Regex PlainNumber();
}
