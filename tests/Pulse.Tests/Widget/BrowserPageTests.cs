using Pulse.Tests.Support;

namespace Pulse.Tests.Widget;

/// <summary>The browser test support itself: waiting for a console line may not depend on when it arrives.</summary>
public sealed class BrowserPageTests : BrowserTest
{
    [Test]
    public async Task WaitForConsole_SeesALineThatArrivesWhileTheWaitStarts()
    {
        var context = await Browser.Chromium.NewContextAsync();
        var page = await context.NewPageAsync();
        BrowserPage wrapped = null!;
        var started = new TaskCompletionSource<Task<string>>(TaskCreationOptions.RunContinuationsAsynchronously);
        // Subscribed before the page's own recorder, this handler runs while the line is being
        // delivered and before anything has recorded it: the moment a wait that first looks at the
        // lines seen so far and then subscribes to the next ones lets the line through unseen.
        page.Console += (_, message) =>
        {
            if (message.Text == "[pulse] in between" && !started.Task.IsCompleted)
                started.SetResult(wrapped.WaitForConsoleAsync("[pulse] in between", timeoutMs: 10_000));
        };
        wrapped = new BrowserPage(context, page);
        await using (wrapped)
        {
            await page.EvaluateAsync("console.log('[pulse] in between')");
            var wait = await started.Task;

            Assert.That(await wait, Is.EqualTo("log: [pulse] in between"));
        }
    }

    [Test]
    public async Task WaitForConsole_FindsEarlierLines_AndWaitsForLaterOnes()
    {
        await Page.EvaluateAsync("console.log('first')");
        var first = await Current.WaitForConsoleAsync("first");
        var later = Current.WaitForConsoleAsync("later");
        await Page.EvaluateAsync("console.warn('later')");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(first, Is.EqualTo("log: first"));
            Assert.That(await later, Is.EqualTo("warning: later"));
        }
    }
}
