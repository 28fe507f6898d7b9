using Microsoft.Playwright;
using Pulse.Tests.Support;

namespace Pulse.Tests.Dashboard;

/// <summary>
/// Every view at 320 px on a phone (nothing scrolls sideways, axe finds nothing), and the demo host page at the root
/// loads without a console error or a failed request.
/// </summary>
public sealed class DashboardPhoneBrowserTests : DashboardResultsPage
{
    [Test]
    public async Task Phone320_EveryViewReflows_WithoutHorizontalScrolling_AndPassesAxe()
    {
        var page = await OpenAsync(new() { ViewportSize = new() { Width = 320, Height = 780 }, IsMobile = true, HasTouch = true });
        await SignIn("overview", page);
        foreach (var view in Views)
        {
            await Go("#/" + view, page);
            Assert.That(await Overflow(page), Is.LessThanOrEqualTo(0), view);
            await AssertAxeClean(page, $"{view} at 320 px");
            if (view is "overview" or "accounts" or "surveys" or "keys")
                await Shot($"{view}-phone", page: page);
        }
    }

    [Test]
    public async Task DemoPage_LoadsWithoutConsoleErrors_OrFailedRequests()
    {
        var failed = new List<string>();
        Page.Response += (_, response) => { if (response.Status >= 400) failed.Add($"{response.Status} {response.Url}"); };
        Page.RequestFailed += (_, request) => failed.Add($"failed {request.Url}");
        // The page says the demo user signed up 60 days ago by its own clock: the API's clock, so the survey is due.
        await Page.Clock.SetFixedTimeAsync(App.Time.GetUtcNow().UtcDateTime);
        await Page.GotoAsync(new Uri(App.Address!, "/?user=demo-console-check").ToString());
        await Page.Locator("pulse-survey").WaitForAsync(new() { State = WaitForSelectorState.Attached });
        await Page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(failed, Is.Empty, "no request of the demo page fails (a missing /favicon.ico did)");
            Assert.That(Current.Console.Where(l => l.StartsWith("error", StringComparison.Ordinal)), Is.Empty);
            Assert.That(Current.Errors, Is.Empty);
        }
    }
}
