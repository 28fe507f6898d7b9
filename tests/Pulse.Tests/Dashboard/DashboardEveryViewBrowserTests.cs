using Microsoft.Playwright;
using Pulse.Tests.Support;

namespace Pulse.Tests.Dashboard;

/// <summary>
/// Every view of the dashboard in one colour scheme, on the same seeded workspace as <see cref="DashboardBrowserTests"/>:
/// axe finds nothing, the CSP objects to nothing, the console has no error, no dialog opens. One fixture per scheme,
/// because axe over every view takes minutes and fixtures run in parallel (docs/decisions.md T-S1).
/// </summary>
[TestFixture("light")]
[TestFixture("dark")]
public sealed class DashboardEveryViewBrowserTests(string scheme) : DashboardResultsPage
{
    [Test]
    public async Task EveryView_HasNoAxeViolations_NoCspViolations_NoConsoleErrors()
    {
        var page = await OpenAsync(new() { ColorScheme = scheme == "dark" ? ColorScheme.Dark : ColorScheme.Light, ViewportSize = new() { Width = 1280, Height = 900 } });
        var dialogs = await SignIn("overview", page);
        await AssertAxeClean(page, $"sign-in ({scheme})");
        foreach (var view in Views)
        {
            await Go("#/" + view, page);
            await AssertAxeClean(page, $"{view} ({scheme})");
            await Shot($"{view}-{scheme}", fullPage: view != "comments", page: page);
        }
        await Go("#/segments?trait=arr", page);
        await AssertAxeClean(page, $"segments in bands ({scheme})");
        await Go("#/surveys?edit=new", page);
        await AssertAxeClean(page, $"new survey ({scheme})");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await page.EvaluateAsync<string[]>("window.__csp"), Is.Empty);
            Assert.That(Current.Errors, Is.Empty);
            Assert.That(Current.Console.Where(l => l.StartsWith("error", StringComparison.Ordinal)), Is.Empty, "no console errors on any page");
            Assert.That(dialogs, Is.Empty);
        }
    }
}
