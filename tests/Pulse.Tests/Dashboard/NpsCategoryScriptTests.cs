using System.Text.Json;
using System.Text.RegularExpressions;
using Pulse.Api.Eligibility;
using Pulse.Api.Responses;
using Pulse.Api.Surveys;
using Pulse.Tests.Support;

namespace Pulse.Tests.Dashboard;

/// <summary>
/// The NPS categories have one source, <see cref="NpsCategory.Of"/>. The two scripts that need them
/// in the browser (the widget picks the follow-up question, the dashboard labels scores) are run in
/// Chromium for every score and must agree with it.
/// </summary>
public sealed class NpsCategoryScriptTests : BrowserTest
{
    static readonly string[] Expected = [.. Enumerable.Range(0, 11).Select(NpsCategory.Of)];

    [Test]
    public async Task DashboardFormatJs_Category_IsNpsCategoryOf()
    {
        var source = Repository.Read("api/Dashboard/assets/format.js");
        var function = Regex.Match(source, @"export (?<f>function category\(score\) \{.*?\n\})", RegexOptions.Singleline).Groups["f"].Value;
        Assert.That(function, Is.Not.Empty, "format.js exports function category(score)");
        var actual = await Page.EvaluateAsync<string[]>($"() => {{ {function}\nreturn [...Array(11).keys()].map(category); }}");
        Assert.That(actual, Is.EqualTo(Expected));
    }

    /// <summary>
    /// format.js's table of kinds (scale, categories and their ranges) equals <see cref="QuestionKinds"/>:
    /// the dashboard's <c>categoryOf(kind, score)</c> for every score of every kind is the kind's <c>CategoryOf</c>.
    /// </summary>
    [TestCase("nps")]
    [TestCase("enps")]
    [TestCase("csat")]
    [TestCase("ces")]
    public async Task DashboardFormatJs_CategoryOfEveryKind_IsQuestionKinds(string name)
    {
        var kind = QuestionKinds.Find(name)!;
        // format.js imports nothing: its text without "export" runs as a function body.
        var source = Repository.Read("api/Dashboard/assets/format.js").Replace("export ", "", StringComparison.Ordinal);
        var actual = await Page.EvaluateAsync<JsonElement>(
            $"name => {{ {source}\nconst k = KINDS[name]; const scores = []; for (let s = k.min; s <= k.max; s += 1) scores.push(s);\n"
            + "return { min: k.min, max: k.max, names: k.categories.map((c) => c[0]), categories: scores.map((s) => categoryOf(name, s)) }; }", name);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(actual.GetProperty("min").GetInt32(), Is.EqualTo(kind.Min));
            Assert.That(actual.GetProperty("max").GetInt32(), Is.EqualTo(kind.Max));
            Assert.That(actual.GetProperty("names").EnumerateArray().Select(e => e.GetString()), Is.EqualTo(kind.CategoryNames));
            Assert.That(actual.GetProperty("categories").EnumerateArray().Select(e => e.GetString()),
                Is.EqualTo(Enumerable.Range(kind.Min, kind.Max - kind.Min + 1).Select(kind.CategoryOf)));
        }
    }

    /// <summary>The widget picks the category from the scale the eligibility answer sends (<see cref="SurveyScale"/>), for every kind.</summary>
    [TestCase("nps")]
    [TestCase("enps")]
    [TestCase("csat")]
    [TestCase("ces")]
    public async Task Widget_CategoryOfTheAnswer_IsTheKindsCategory(string name)
    {
        var kind = QuestionKinds.Find(name)!;
        var scale = JsonSerializer.Serialize(new SurveyScale(kind.Min, kind.Max, kind.Categories), JsonSerializerOptions.Web);
        var source = Repository.Read("widget/pulse.js");
        var expression = Regex.Match(source, @"var category = (?<e>.+);\r?$", RegexOptions.Multiline).Groups["e"].Value;
        Assert.That(expression, Does.Contain("score"), "widget/pulse.js computes var category = …score…;");
        var scores = Enumerable.Range(kind.Min, kind.Max - kind.Min + 1).ToArray();
        var actual = await Page.EvaluateAsync<string[]>(
            $"scores => {{ var sc = {scale}; return scores.map(function (score) {{ return {expression}; }}); }}", scores);
        Assert.That(actual, Is.EqualTo(scores.Select(kind.CategoryOf)));
    }
}
