namespace Pulse.Api.Analytics;

/// <summary>
/// How the read side sees the reasons chosen on responses (<c>response_reasons</c>, written by the
/// Responses folder's <c>ReasonStore</c>): SQL fragments for lists, the export and the reasons report.
/// </summary>
public static class ReasonSql
{
    /// <summary>The reason ids of response <c>r</c> as a JSON array, sorted.</summary>
    public const string IdsOfResponse = "(SELECT json_group_array(reason_id) FROM (SELECT reason_id FROM response_reasons WHERE response_id = r.id ORDER BY reason_id) AS reasons)";

    /// <summary>The text of "Other" on response <c>r</c>, or null.</summary>
    public const string OtherOfResponse = "(SELECT other_text FROM response_reasons WHERE response_id = r.id AND reason_id = 'other')";
}
