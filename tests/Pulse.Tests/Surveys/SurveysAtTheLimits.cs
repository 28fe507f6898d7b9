using System.Globalization;
using Pulse.Api.Surveys;
using Pulse.Tests.Support;

namespace Pulse.Tests.Surveys;

/// <summary>
/// A workspace filled to its survey limits: every active survey it may have, each with the most
/// targeting rules, values per rule and bytes a survey may hold — the heaviest tenant the limits allow.
/// </summary>
static class SurveysAtTheLimits
{
    /// <summary>The traits every rule looks at; a user with <see cref="ScanningTraits"/> makes each rule compare all its values.</summary>
    public static string Trait(int rule) => $"t{rule}";

    /// <summary>Traits that hold every <c>nin</c> rule only after comparing all of its values (the slowest answer).</summary>
    public static Dictionary<string, string> ScanningTraits =>
        Enumerable.Range(0, SurveyValidation.MaxConditions).ToDictionary(Trait, _ => "none-of-these");

    /// <summary>A survey body of 20 <c>nin</c> rules × 100 values, just under the per-survey byte limit.</summary>
    public static object Body(int index) => new
    {
        name = $"Heavy {index}",
        trigger = (string?)null,
        targeting = Enumerable.Range(0, SurveyValidation.MaxConditions).Select(rule => new
        {
            trait = Trait(rule),
            op = "nin",
            values = Enumerable.Range(0, SurveyValidation.MaxConditionValues)
                .Select(v => string.Create(CultureInfo.InvariantCulture, $"s{index:D2}-r{rule:D2}-v{v:D3}-padding-xx")).ToArray(),
        }).ToArray(),
    };

    /// <summary>Creates surveys until the workspace has <paramref name="active"/> active ones (it starts with one).</summary>
    public static async Task FillAsync(HttpClient http, int active)
    {
        for (var i = 1; i < active; i++)
        {
            var response = await http.PostAsync("/v1/surveys", Json.Of(Body(i)));
            Assert.That((int)response.StatusCode, Is.EqualTo(201), await response.Content.ReadAsStringAsync());
        }
    }
}
