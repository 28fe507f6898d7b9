using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Playwright;
using Pulse.Api.Workspaces;
using Pulse.Tests.Support;
using Pulse.Tests.Webhooks;

namespace Pulse.Tests.Dashboard;

/// <summary>
/// Running Pulse from the dashboard, in Chromium against the real API: surveys, webhooks (with a
/// real loopback receiver), keys, the identity secret and the workspace settings. Every flow goes
/// through the page's own controls, and every result is checked against the API afterwards (and,
/// for keys and secrets, by using them). Destructive actions ask first; cancelling changes nothing.
/// </summary>
public sealed class DashboardAdminBrowserTests : DashboardPage
{
    WebhookReceiver _receiver = null!;

    protected override int Responses => 300;

    // One failed attempt is final here, so a failed delivery (and its retry) needs no waiting.
    protected override IDictionary<string, string?> Settings =>
        new Dictionary<string, string?> { ["Webhooks:MaxAttempts"] = "1", ["Webhooks:PollInterval"] = "00:00:00.050" };

    [OneTimeSetUp]
    public async Task StartReceiver() => _receiver = await WebhookReceiver.StartAsync();

    [OneTimeTearDown]
    public async Task StopReceiver() => await _receiver.DisposeAsync();

    async Task<List<JsonElement>> Surveys() => (await Get("/v1/surveys")).GetProperty("items").EnumerateArray().ToList();

    /// <summary>The demo's first NPS survey (it also asks CSAT and CES, whose categories have other names).</summary>
    async Task<JsonElement> NpsSurvey() => (await Surveys()).First(s => s.GetProperty("kind").GetString() == "nps");

    async Task Flash(string selector, string text, IPage? page = null) =>
        await (page ?? Page).Locator($"{selector}:has-text('{text}')").WaitForAsync();

    // ---- surveys -------------------------------------------------------------------------------

    [Test]
    public async Task Surveys_CreatePauseResumeDuplicateDelete_EachCheckedAgainstTheApi()
    {
        await SignIn("surveys");
        await AndRender("surveys", () => Page.ClickAsync("#survey-new"));
        await Page.FillAsync("[data-field=name] input", "Support NPS");
        await Page.FillAsync("[data-field=trigger] input", "support_case_closed");
        await Page.FillAsync("[data-field=priority] input", "10");
        await Page.FillAsync("[data-field=samplePercent] input", "50");
        await Page.FillAsync("[data-field=emailFallbackDays] input", "3");
        await AndRender("surveys", () => Page.ClickAsync(".survey-form button[type=submit]"));
        await Flash("#surveys-status", "Created “Support NPS”.");
        var created = (await Surveys()).Single(s => s.GetProperty("name").GetString() == "Support NPS");
        var id = created.GetProperty("id").GetString()!;
        var row = Page.Locator($"#surveys-table tr[data-survey='{id}']");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(created.GetProperty("trigger").GetString(), Is.EqualTo("support_case_closed"));
            Assert.That(created.GetProperty("priority").GetInt32(), Is.EqualTo(10));
            Assert.That(created.GetProperty("samplePercent").GetDouble(), Is.EqualTo(50));
            Assert.That(created.GetProperty("emailFallbackDays").GetInt32(), Is.EqualTo(3));
            Assert.That(created.GetProperty("active").GetBoolean(), Is.True);
            Assert.That(created.GetProperty("firstSurveyDelayDays").GetInt32(), Is.EqualTo(30), "fields left empty take the API's defaults");
            Assert.That(await row.InnerTextAsync(), Does.Contain("Active").And.Contain("Event “support_case_closed”").And.Contain("NPS"));
        }

        await AndRender("surveys", () => Page.ClickAsync("button[aria-label='Pause Support NPS']"));
        await Flash("#surveys-status", "Paused “Support NPS”");
        Assert.That((await Get($"/v1/surveys/{id}")).GetProperty("active").GetBoolean(), Is.False);
        Assert.That(await row.Locator(".badge").TextContentAsync(), Is.EqualTo("Paused"));
        await AndRender("surveys", () => Page.ClickAsync("button[aria-label='Resume Support NPS']"));
        Assert.That((await Get($"/v1/surveys/{id}")).GetProperty("active").GetBoolean(), Is.True);

        await AndRender("surveys", () => Page.ClickAsync("button[aria-label='Duplicate Support NPS']"));
        var copy = (await Surveys()).Single(s => s.GetProperty("name").GetString() == "Copy of Support NPS");
        var copyId = copy.GetProperty("id").GetString()!;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(copy.GetProperty("active").GetBoolean(), Is.False, "a duplicate starts paused");
            Assert.That(copy.GetProperty("trigger").GetString(), Is.EqualTo("support_case_closed"));
            Assert.That(copy.GetProperty("samplePercent").GetDouble(), Is.EqualTo(50));
        }
        await Shot("surveys");

        await Page.ClickAsync("button[aria-label='Delete Copy of Support NPS']");
        var said = await AnswerConfirm(Page, yes: false);
        Assert.That((int)(await Api.GetAsync($"/v1/surveys/{copyId}")).StatusCode, Is.EqualTo(200), "cancel deletes nothing");
        await Page.ClickAsync("button[aria-label='Delete Copy of Support NPS']");
        await AndRender("surveys", () => AnswerConfirm(Page, yes: true));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(said, Does.Contain("Delete “Copy of Support NPS”?").And.Contain("answers stay in your reports").And.Contain("cannot be restored"));
            Assert.That((int)(await Api.GetAsync($"/v1/surveys/{copyId}")).StatusCode, Is.EqualTo(404));
            Assert.That(await Page.Locator($"#surveys-table tr[data-survey='{copyId}']").CountAsync(), Is.Zero);
        }
        await (await Api.DeleteAsync($"/v1/surveys/{id}")).Content.ReadAsStringAsync();
    }

    [Test]
    public async Task SurveyEditor_ShowsTheApisMessagesNextToTheirFields_InPlainWords()
    {
        var survey = (await Surveys()).First();
        var id = survey.GetProperty("id").GetString()!;
        await SignIn($"surveys?edit={id}");
        await Page.FillAsync("[data-field=samplePercent] input", "150");
        await Page.FillAsync("[data-field=trigger] input", "Not An Event!");
        await Page.ClickAsync(".survey-form button[type=submit]");
        await Page.Locator(".error-summary:not([hidden])").WaitForAsync();
        var direct = await Api.PutAsJsonAsync($"/v1/surveys/{id}", new { samplePercent = 150, trigger = "Not An Event!" });
        var errors = (await direct.AssertProblem(400)).GetProperty("errors");
        var shown = await Page.Locator(".survey-form .field .error, .error-summary").AllInnerTextsAsync();
        var plain = await Page.EvaluateAsync<string>("""
            async () => {
              const { plain } = await import('/dashboard/assets/ui.js');
              const { LABELS } = await import('/dashboard/assets/view-surveys.js');
              return plain("samplePercent is between 0 and 100; see theme.color", LABELS);
            }
            """);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await Page.TextContentAsync("[data-field=samplePercent] .error"), Is.EqualTo(errors.GetProperty("samplePercent")[0].GetString()));
            Assert.That(await Page.TextContentAsync("[data-field=trigger] .error"), Is.EqualTo(errors.GetProperty("trigger")[0].GetString()));
            Assert.That(await Page.TextContentAsync(".error-summary"), Does.Contain("Sample (% of eligible users): Choose a percentage"));
            Assert.That(string.Join(" ", shown), Does.Not.Match(@"\b[a-z]+[A-Z][A-Za-z]*\b"), "no API field names such as samplePercent");
            Assert.That(plain, Is.EqualTo("“Sample (% of eligible users)” is between 0 and 100; see “Colour”"), "an older message naming fields is put in words");
            Assert.That(await Page.GetAttributeAsync("[data-field=samplePercent] input", "aria-invalid"), Is.EqualTo("true"));
            Assert.That(await Page.EvaluateAsync<bool>("document.activeElement.classList.contains('error-summary')"), Is.True, "focus moves to the summary");
            Assert.That(await Page.TextContentAsync("[data-field=priority] .hint"), Does.Contain("the highest priority is asked first"));
        }
        await Shot("survey-errors");

        await Page.FillAsync("[data-field=samplePercent] input", "50");
        await Page.FillAsync("[data-field=trigger] input", "");
        await Page.ClickAsync(".survey-form button[type=submit]");
        await Page.Locator(".survey-form [role=status]:has-text('Saved')").WaitForAsync();
        Assert.That((await Get($"/v1/surveys/{id}")).GetProperty("samplePercent").GetDouble(), Is.EqualTo(50));
        await (await Api.PutAsJsonAsync($"/v1/surveys/{id}", new { samplePercent = 100 })).ReadJson<JsonElement>();
    }

    [Test]
    public async Task SurveyEditor_EditsCustomLocalesAndVariants_ShowingTheApisMessages()
    {
        var id = (await NpsSurvey()).GetProperty("id").GetString()!;
        await SignIn($"surveys?edit={id}");
        await Page.FillAsync(".survey-form input[placeholder^='de, pt-BR']", "sw");
        await Page.ClickAsync(".survey-form button:text-is('Add locale')");
        await Page.FillAsync("[data-field='texts.sw.question'] textarea", "Kuna uwezekano gani kwamba utapendekeza {product}?");
        await Page.ClickAsync(".survey-form button:text-is('Add variant')");
        await Page.ClickAsync(".survey-form button[type=submit]");
        await Page.Locator(".error-summary:not([hidden])").WaitForAsync();
        var direct = await Api.PutAsJsonAsync($"/v1/surveys/{id}", new
        {
            texts = new Dictionary<string, object> { ["sw"] = new { question = "Kuna uwezekano gani kwamba utapendekeza {product}?" } },
            variants = new[] { new { key = "a", weight = 50 } },
        });
        var errors = (await direct.AssertProblem(400)).GetProperty("errors");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await Page.TextContentAsync("[data-field='texts.sw.question'] .error"), Is.EqualTo(errors.GetProperty("texts.sw")[0].GetString()),
                "the missing texts of a custom locale, by its first field");
            Assert.That(await Page.TextContentAsync("[data-field=variants] .error"), Is.EqualTo(errors.GetProperty("variants")[0].GetString()));
            Assert.That((await Get($"/v1/surveys/{id}")).GetProperty("texts").TryGetProperty("sw", out _), Is.False, "nothing was saved");
        }

        string[] rest = ["low", "high", "followUp.promoter", "followUp.passive", "followUp.detractor", "placeholder", "submit", "dismiss", "thanks", "optOut",
            "reasons.question", "reasons.other", "reasons.placeholder"];
        foreach (var key in rest)
            await Page.Locator($"[data-field='texts.sw.{key}'] :is(input, textarea)").FillAsync("Maandishi " + key);
        await Page.ClickAsync(".survey-form button:text-is('Add variant')");
        await Page.FillAsync("[data-field='variants[1].weight'] input", "25");
        await Page.ClickAsync(".survey-form button[type=submit]");
        await Page.Locator(".survey-form [role=status]:has-text('Saved')").WaitForAsync();
        var saved = await Get($"/v1/surveys/{id}");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(saved.GetProperty("texts").GetProperty("sw").GetProperty("optOut").GetString(), Is.EqualTo("Maandishi optOut"));
            Assert.That(saved.GetProperty("variants").EnumerateArray().Select(v => (v.GetProperty("key").GetString(), v.GetProperty("weight").GetInt32())),
                Is.EqualTo(new[] { ("a", 50), ("b", 25) }));
        }
        await (await Api.PutAsJsonAsync($"/v1/surveys/{id}", new { texts = new { }, variants = Array.Empty<object>() })).ReadJson<JsonElement>();
    }

    [Test]
    public async Task SurveyEditor_EditsTheReasonsQuestion_ShowingTheApisMessages()
    {
        var id = (await NpsSurvey()).GetProperty("id").GetString()!;
        var before = await Get($"/v1/surveys/{id}");
        await SignIn($"surveys?edit={id}");
        var detractors = Page.Locator("[data-field='reasons.byCategory.detractor'] textarea");
        await detractors.FillAsync("price: Too expensive\nBad Id: Slow");
        await Page.ClickAsync(".survey-form button[type=submit]");
        await Page.Locator(".error-summary:not([hidden])").WaitForAsync();
        var direct = await Api.PutAsJsonAsync($"/v1/surveys/{id}", new
        {
            reasons = new { byCategory = new { detractor = new[] { new { id = "price", label = "Too expensive" }, new { id = "Bad Id", label = "Slow" } } } },
        });
        var errors = (await direct.AssertProblem(400)).GetProperty("errors");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await Page.TextContentAsync("[data-field='reasons.byCategory.detractor'] .error"),
                Is.EqualTo(errors.GetProperty("reasons.byCategory.detractor[1].id")[0].GetString()));
            Assert.That((await Get($"/v1/surveys/{id}")).GetProperty("reasons").ToString(), Is.EqualTo(before.GetProperty("reasons").ToString()), "nothing was saved");
        }

        await detractors.FillAsync("price: Too expensive\nslow: Slow");
        await Page.FillAsync("[data-field='reasons.byCategory.passive'] textarea", "");
        await Page.FillAsync("[data-field='reasons.byCategory.promoter'] textarea", "");
        await Page.ClickAsync(".survey-form button[type=submit]");
        await Page.Locator(".survey-form [role=status]:has-text('Saved')").WaitForAsync();
        var saved = (await Get($"/v1/surveys/{id}")).GetProperty("reasons");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(saved.GetProperty("byCategory").GetProperty("detractor").EnumerateArray().Select(r => r.GetProperty("id").GetString()), Is.EqualTo(new[] { "price", "slow" }));
            Assert.That(saved.GetProperty("byCategory").GetProperty("promoter").GetArrayLength(), Is.Zero, "an empty list is not asked");
        }
        await (await Api.PutAsJsonAsync($"/v1/surveys/{id}", new { reasons = before.GetProperty("reasons") })).ReadJson<JsonElement>();
    }

    // ---- webhooks ------------------------------------------------------------------------------

    [Test]
    public async Task Webhooks_CategoriesFollowTheChosenSurveysKind()
    {
        var csat = (await Surveys()).First(s => s.GetProperty("kind").GetString() == "csat");
        var csatId = csat.GetProperty("id").GetString()!;
        var url = _receiver.Url("/csat");
        await SignIn("webhooks");
        async Task<string[]> Offered() => [.. (await Page.Locator("#webhook-create [data-field=categories] input").EvaluateAllAsync<string[]>("boxes => boxes.map(b => b.value)"))];
        var everySurvey = await Offered();
        var neutral = await Page.TextContentAsync("label[for=webhook-categories-neutral]");
        await Page.CheckAsync("#webhook-categories-dissatisfied");
        await Page.CheckAsync("#webhook-categories-detractor");
        await Page.SelectOptionAsync("#webhook-survey", csatId);
        var csatOnly = await Offered();
        await Page.FillAsync("#webhook-url", url);
        await AndRender("webhooks", () => Page.ClickAsync("#webhook-create button[type=submit]"));
        var hook = (await Get("/v1/webhooks")).GetProperty("items").EnumerateArray().Single(w => w.GetProperty("url").GetString() == url);
        var card = Page.Locator($"li[data-webhook='{hook.GetProperty("id").GetString()}']");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(everySurvey, Is.SupersetOf(new[] { "detractor", "passive", "promoter", "dissatisfied", "neutral", "satisfied", "difficult", "easy" }));
            Assert.That(everySurvey.Distinct().Count(), Is.EqualTo(everySurvey.Length), "neutral (CSAT and CES) is offered once");
            Assert.That(neutral, Is.EqualTo("Neutral (CSAT 3, CES 4)"));
            Assert.That(csatOnly, Is.EqualTo(new[] { "dissatisfied", "neutral", "satisfied" }));
            Assert.That(hook.GetProperty("categories").EnumerateArray().Select(e => e.GetString()), Is.EqualTo(new[] { "dissatisfied" }),
                "the tick on a CSAT category survives the switch; the NPS one goes with its box");
            Assert.That(hook.GetProperty("surveyId").GetString(), Is.EqualTo(csatId));
            Assert.That(await card.InnerTextAsync(), Does.Contain("Dissatisfied (1–2)"));
        }
        await AssertAxeClean(Page, "webhooks with a CSAT survey");
    }

    [Test]
    public async Task Webhooks_CreateTestRetryRotateDelete_AgainstALoopbackReceiver()
    {
        _receiver.Drain();
        _receiver.Respond = _ => Task.FromResult(Results.NoContent());
        var url = _receiver.Url("/pulse");
        await SignIn("webhooks");
        await Page.FillAsync("#webhook-url", url);
        await Page.CheckAsync("#webhook-categories-detractor");
        await AndRender("webhooks", () => Page.ClickAsync("#webhook-create button[type=submit]"));
        var secret = await Page.TextContentAsync(".secret-once pre") ?? "";
        var hook = (await Get("/v1/webhooks")).GetProperty("items").EnumerateArray().Single(w => w.GetProperty("url").GetString() == url);
        var id = hook.GetProperty("id").GetString()!;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(secret, Does.StartWith("whsec_"));
            Assert.That(await Page.TextContentAsync(".secret-once"), Does.Contain("shown only now"));
            Assert.That(hook.GetProperty("events").EnumerateArray().Select(e => e.GetString()), Is.EqualTo(new[] { "response.created" }));
            Assert.That(hook.GetProperty("categories").EnumerateArray().Select(e => e.GetString()), Is.EqualTo(new[] { "detractor" }));
            Assert.That(hook.GetProperty("format").GetString(), Is.EqualTo("json"));
        }

        // A test ping reaches the receiver, signed with the secret the page showed once.
        await Page.ClickAsync($"button[aria-label='Send a test to {url}']");
        await Flash($"#webhook-status-{id}", "Test delivered: the receiver answered HTTP 204.");
        var ping = await _receiver.NextAsync();
        var deliveries = (await Get($"/v1/webhooks/{id}/deliveries")).GetProperty("items");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(ping.Json.GetProperty("type").GetString(), Is.EqualTo("ping"));
            Assert.That(ping.VerifiesWith(secret, App.Time.GetUtcNow()), Is.True, "signed with the secret shown");
            Assert.That(deliveries[0].GetProperty("status").GetString(), Is.EqualTo("delivered"));
            Assert.That(await Page.Locator($"#deliveries-{id} tbody tr[data-status=delivered]").CountAsync(), Is.EqualTo(1));
        }
        await Shot("webhooks");

        // The receiver fails: the log says how; Retry sends it again once it is back.
        _receiver.Respond = _ => Task.FromResult(Results.StatusCode(500));
        await Page.ClickAsync($"button[aria-label='Send a test to {url}']");
        await Flash($"#webhook-status-{id}", "The test was not delivered");
        var failed = (await Get($"/v1/webhooks/{id}/deliveries")).GetProperty("items")[0];
        var failedRow = Page.Locator($"#deliveries-{id} tbody tr[data-delivery='{failed.GetProperty("id").GetInt64()}']");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(failed.GetProperty("status").GetString(), Is.EqualTo("failed"));
            Assert.That(failed.GetProperty("lastStatus").GetInt32(), Is.EqualTo(500));
            Assert.That(await failedRow.GetAttributeAsync("data-status"), Is.EqualTo("failed"));
            Assert.That(await failedRow.InnerTextAsync(), Does.Contain("HTTP 500").And.Contain("Failed"));
        }
        _receiver.Respond = _ => Task.FromResult(Results.NoContent());
        await failedRow.Locator("button:has-text('Retry')").ClickAsync();
        await Page.Locator($"#deliveries-{id} tbody tr[data-delivery='{failed.GetProperty("id").GetInt64()}'][data-status=delivered]").WaitForAsync();
        var retried = (await Get($"/v1/webhooks/{id}/deliveries")).GetProperty("items").EnumerateArray()
            .Single(d => d.GetProperty("id").GetInt64() == failed.GetProperty("id").GetInt64());
        Assert.That(retried.GetProperty("status").GetString(), Is.EqualTo("delivered"));

        // Rotation: the new secret is shown once, with the window; both secrets sign meanwhile.
        await Page.ClickAsync($"button[aria-label='Rotate secret of {url}']");
        var rotateSaid = await AnswerConfirm(Page, yes: true);
        await Page.Locator($"li[data-webhook='{id}'] .secret-once").WaitForAsync();
        var newSecret = await Page.TextContentAsync($"li[data-webhook='{id}'] .secret-once pre") ?? "";
        var rotated = await Get($"/v1/webhooks/{id}");
        _receiver.Drain();
        await Page.ClickAsync($"button[aria-label='Send a test to {url}']");
        var signedTwice = await _receiver.NextAsync();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(rotateSaid, Does.Contain("rotation window"));
            Assert.That(newSecret, Does.StartWith("whsec_").And.Not.EqualTo(secret));
            Assert.That(await Page.TextContentAsync($"li[data-webhook='{id}'] .secret-once"), Does.Contain("keeps signing beside it until"));
            Assert.That(rotated.GetProperty("previousSecretExpiresAt").ValueKind, Is.EqualTo(JsonValueKind.String));
            Assert.That(signedTwice.VerifiesWith(newSecret, App.Time.GetUtcNow()) && signedTwice.VerifiesWith(secret, App.Time.GetUtcNow()), Is.True);
        }

        await Page.ClickAsync($"button[aria-label='Delete the webhook to {url}']");
        var deleteSaid = await AnswerConfirm(Page, yes: false);
        Assert.That((int)(await Api.GetAsync($"/v1/webhooks/{id}")).StatusCode, Is.EqualTo(200), "cancel deletes nothing");
        await Page.ClickAsync($"button[aria-label='Delete the webhook to {url}']");
        await AndRender("webhooks", () => AnswerConfirm(Page, yes: true));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(deleteSaid, Does.Contain("stops sending to " + url));
            Assert.That((int)(await Api.GetAsync($"/v1/webhooks/{id}")).StatusCode, Is.EqualTo(404));
            Assert.That(await Page.Locator($"li[data-webhook='{id}']").CountAsync(), Is.Zero);
        }
    }

    [Test]
    public async Task Webhooks_AnAccountsFilter_IsSetAtCreation_AndChangedInPlace()
    {
        var url = _receiver.Url("/dana");
        await SignIn("webhooks");
        await Page.FillAsync("#webhook-url", url);
        await Page.FillAsync("#webhook-where", "csm=Dana Lee; plan = enterprise");
        await AndRender("webhooks", () => Page.ClickAsync("#webhook-create button[type=submit]"));
        var hook = (await Get("/v1/webhooks")).GetProperty("items").EnumerateArray().Single(w => w.GetProperty("url").GetString() == url);
        var id = hook.GetProperty("id").GetString()!;
        var shown = await Page.TextContentAsync($"li[data-webhook='{id}'] dd.where");

        await Page.ClickAsync($"button[aria-label='Edit accounts filter of {url}']");
        await Page.FillAsync($"#where-{id}", "csm=Priya Raman");
        await AndRender("webhooks", () => Page.ClickAsync($"li[data-webhook='{id}'] .where-form button[type=submit]"));
        var handed = await Get($"/v1/webhooks/{id}");

        await Page.ClickAsync($"button[aria-label='Edit accounts filter of {url}']");
        await Page.FillAsync($"#where-{id}", "bad\"key=x");
        await Page.ClickAsync($"li[data-webhook='{id}'] .where-form button[type=submit]");
        await Page.Locator($"#webhook-status-{id}:has-text('not saved')").WaitForAsync();
        var refused = await Get($"/v1/webhooks/{id}");

        await Page.FillAsync($"#where-{id}", "");
        await AndRender("webhooks", () => Page.ClickAsync($"li[data-webhook='{id}'] .where-form button[type=submit]"));
        var cleared = await Get($"/v1/webhooks/{id}");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(hook.GetProperty("where").GetProperty("csm").GetString(), Is.EqualTo("Dana Lee"));
            Assert.That(hook.GetProperty("where").GetProperty("plan").GetString(), Is.EqualTo("enterprise"));
            Assert.That(shown, Is.EqualTo("csm = Dana Lee; plan = enterprise"));
            Assert.That(handed.GetProperty("where").EnumerateObject().Select(p => $"{p.Name}={p.Value.GetString()}"), Is.EqualTo(new[] { "csm=Priya Raman" }));
            Assert.That(refused.GetProperty("where").GetRawText(), Is.EqualTo(handed.GetProperty("where").GetRawText()), "a refused filter changes nothing");
            Assert.That(cleared.GetProperty("where").ValueKind, Is.EqualTo(JsonValueKind.Null));
            Assert.That(await Page.TextContentAsync($"li[data-webhook='{id}'] dd.where"), Is.EqualTo("every account"));
        }
    }

    [Test]
    public async Task Webhooks_BadAddress_ShowsTheApisMessageByTheField()
    {
        await SignIn("webhooks");
        await Page.FillAsync("#webhook-url", "ftp://nope");
        await Page.UncheckAsync("#webhook-events-response-created");
        await Page.ClickAsync("#webhook-create button[type=submit]");
        await Page.Locator("#webhook-create .error-summary:not([hidden])").WaitForAsync();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await Page.TextContentAsync("#webhook-create [data-field=url] .error"), Is.Not.Empty);
            Assert.That(await Page.TextContentAsync("#webhook-create [data-field=events] .error"), Is.Not.Empty);
            Assert.That(await Page.TextContentAsync("#webhook-create .error-summary"), Does.Contain("Address (URL):").And.Contain("Send when:"));
            Assert.That((await Get("/v1/webhooks")).GetProperty("items").EnumerateArray().Select(w => w.GetProperty("url").GetString()),
                Has.None.EqualTo("ftp://nope"));
        }
    }

    // ---- keys ----------------------------------------------------------------------------------

    [Test]
    public async Task Keys_CreateShownOnceWithACopyButton_ThenRevoke_CheckedByUsingTheKey()
    {
        await Page.Context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"], new() { Origin = App.Address!.GetLeftPart(UriPartial.Authority) });
        await SignIn("keys");
        await Page.FillAsync("#key-name", "CI server");
        await AndRender("keys", () => Page.ClickAsync("#key-create button[type=submit]"));
        var secret = await Page.TextContentAsync(".secret-once pre") ?? "";
        await Page.ClickAsync(".secret-once .copy button");
        await Page.Locator(".secret-once .copy-status:has-text('Copied.')").WaitForAsync();
        var copied = await Page.EvaluateAsync<string>("navigator.clipboard.readText()");
        var listed = (await Get("/v1/keys")).GetProperty("items").EnumerateArray().Single(k => k.GetProperty("name").GetString() == "CI server");
        var keyId = listed.GetProperty("id").GetString()!;
        using var ci = App.SecretClient(secret);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(secret, Does.StartWith("sk_"));
            Assert.That(copied, Is.EqualTo(secret), "the copy button copies the key");
            Assert.That(listed.GetProperty("hint").GetString(), Is.EqualTo(Keys.Hint(secret)));
            Assert.That((int)(await ci.GetAsync("/v1/workspace")).StatusCode, Is.EqualTo(200), "the key works at once");
            Assert.That(await Page.TextContentAsync($"#keys-table tr[data-key='{keyId}']"), Does.Contain("never"));
        }
        await Shot("keys");

        await Page.ReloadAsync();
        await WaitForRender("keys", "");
        Assert.That(await Page.TextContentAsync($"#keys-table tr[data-key='{keyId}']"), Does.Not.Contain("never").And.Contain("UTC"), "its last use is shown");
        Assert.That(await Page.Locator(".secret-once").CountAsync(), Is.Zero, "the key is never shown again");

        await Page.ClickAsync("button[aria-label='Revoke CI server']");
        var said = await AnswerConfirm(Page, yes: true);
        await Flash("#keys-status", "Revoked “CI server”");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(said, Does.Contain("refused from now on").And.Contain("cannot be undone"));
            Assert.That((int)(await ci.GetAsync("/v1/workspace")).StatusCode, Is.EqualTo(401));
            Assert.That((await Get("/v1/keys")).GetProperty("items").EnumerateArray().Single(k => k.GetProperty("id").GetString() == keyId)
                .GetProperty("revokedAt").ValueKind, Is.EqualTo(JsonValueKind.String));
            Assert.That(await Page.TextContentAsync($"#keys-table tr[data-key='{keyId}']"), Does.Contain("Revoked"));
        }
    }

    [Test]
    public async Task IdentitySecret_Rotation_SaysWhatBreaksAndForHowLong_AndTheOldHashWorksUntilThen()
    {
        await (await Api.PutAsJsonAsync("/v1/workspace", new { requireUserHash = true })).ReadJson<JsonElement>();
        try
        {
            await SignIn("keys");
            await Page.ClickAsync("#identity-rotate");
            var said = await AnswerConfirm(Page, yes: true);
            await Page.Locator(".secret-once").WaitForAsync();
            var secret = await Page.TextContentAsync(".secret-once pre") ?? "";
            var notes = await Page.TextContentAsync(".secret-once");
            var workspace = await Get("/v1/workspace");
            var until = workspace.GetProperty("previousIdentitySecretExpiresAt").GetDateTimeOffset();
            using var browser = App.BrowserClient(App.Address!.GetLeftPart(UriPartial.Authority));
            async Task<int> Check(string identitySecret) => (int)(await browser.PostAsJsonAsync("/v1/eligibility",
                new { siteKey = DemoWorkspace.SiteKey, user = new { id = "u-rotation" }, userHash = Keys.UserHash(identitySecret, "u-rotation") })).StatusCode;
            using (Assert.EnterMultipleScope())
            {
                Assert.That(said, Does.Contain("stop being accepted at the end of the rotation window").And.Contain("see no survey"));
                Assert.That(secret, Does.StartWith("ids_").And.Not.EqualTo(DemoWorkspace.IdentitySecret));
                Assert.That(until, Is.EqualTo(App.Time.GetUtcNow().AddDays(1)));
                Assert.That(notes, Does.Contain($"keeps working until {until:yyyy-MM-dd HH:mm} UTC").And.Contain("show no survey"));
                Assert.That(await Check(secret), Is.EqualTo(200), "the secret shown signs valid hashes");
                Assert.That(await Check(DemoWorkspace.IdentitySecret), Is.EqualTo(200), "the old one still works during the window");
            }
        }
        finally
        {
            await (await Api.PutAsJsonAsync("/v1/workspace", new { requireUserHash = false })).ReadJson<JsonElement>();
        }
    }

    // ---- settings ------------------------------------------------------------------------------

    [Test]
    public async Task Settings_SaveThroughTheApi_AskBeforeRemovingThisOrigin_AndBeforeTurningVerificationOff()
    {
        var original = await Get("/v1/workspace");
        try
        {
            await SignIn("settings");
            await Page.FillAsync("[data-field=productName] input", "Acme People");
            await Page.FillAsync("[data-field=fatigueDays] input", "10");
            await Page.FillAsync("[data-field=npsTarget] input", "35");
            await AndRender("settings", () => Page.ClickAsync("#settings-form button[type=submit]"));
            await Flash("#settings-status", "Saved at");
            var saved = await Get("/v1/workspace");
            using (Assert.EnterMultipleScope())
            {
                Assert.That(saved.GetProperty("productName").GetString(), Is.EqualTo("Acme People"));
                Assert.That(saved.GetProperty("fatigueDays").GetInt32(), Is.EqualTo(10));
                Assert.That(saved.GetProperty("npsTarget").GetDouble(), Is.EqualTo(35));
            }
            await Shot("settings");

            // The API's validation message, next to its field; nothing saved.
            await Page.FillAsync("[data-field=fatigueDays] input", "999");
            await Page.ClickAsync("#settings-form button[type=submit]");
            await Page.Locator("#settings-form .error-summary:not([hidden])").WaitForAsync();
            using (Assert.EnterMultipleScope())
            {
                Assert.That(await Page.TextContentAsync("[data-field=fatigueDays] .error"), Does.Contain("0 to 365"));
                Assert.That(await Page.TextContentAsync("#settings-form .error-summary"), Does.Contain("Days between any two surveys:"));
                Assert.That((await Get("/v1/workspace")).GetProperty("fatigueDays").GetInt32(), Is.EqualTo(10));
            }
            await Page.FillAsync("[data-field=fatigueDays] input", "10");

            // Removing the origin this page (and the demo page) runs on asks first; cancel keeps it.
            var here = App.Address!.GetLeftPart(UriPartial.Authority);
            await Page.FillAsync("[data-field=allowedOrigins] textarea", "http://localhost:*");
            await Page.ClickAsync("#settings-form button[type=submit]");
            var warned = await AnswerConfirm(Page, yes: false);
            Assert.That((await Get("/v1/workspace")).GetProperty("allowedOrigins").GetArrayLength(), Is.EqualTo(2), "cancel saves nothing");
            await Page.ClickAsync("#settings-form button[type=submit]");
            await AndRender("settings", () => AnswerConfirm(Page, yes: true));
            using (Assert.EnterMultipleScope())
            {
                Assert.That(warned, Does.Contain($"Stop allowing {here}?").And.Contain("http://127.0.0.1:*").And.Contain("refused (403)"));
                Assert.That((await Get("/v1/workspace")).GetProperty("allowedOrigins").EnumerateArray().Select(o => o.GetString()),
                    Is.EqualTo(new[] { "http://localhost:*" }));
            }

            // Identity verification on: Setup's snippet and examples follow. Off again in a live workspace: asked first.
            await Page.CheckAsync("[data-field=requireUserHash] input");
            await AndRender("settings", () => Page.ClickAsync("#settings-form button[type=submit]"));
            Assert.That((await Get("/v1/workspace")).GetProperty("requireUserHash").GetBoolean(), Is.True);
            await Go("#/setup");
            using (Assert.EnterMultipleScope())
            {
                Assert.That(await Page.TextContentAsync("#setup-snippet"), Does.Contain("userHash: '…'"));
                Assert.That(await Page.TextContentAsync("#hash-status"), Does.StartWith("Identity verification is on"));
                Assert.That(await Page.Locator("details.example").CountAsync(), Is.EqualTo(4));
            }
            await Go("#/settings");
            await Page.UncheckAsync("[data-field=requireUserHash] input");
            await Page.ClickAsync("#settings-form button[type=submit]");
            var offSaid = await AnswerConfirm(Page, yes: true);
            await Flash("#settings-status", "Saved at");
            using (Assert.EnterMultipleScope())
            {
                Assert.That(offSaid, Does.Contain("Turn identity verification off?").And.Contain("test mode is off"));
                Assert.That((await Get("/v1/workspace")).GetProperty("requireUserHash").GetBoolean(), Is.False);
            }
        }
        finally
        {
            await (await Api.PutAsJsonAsync("/v1/workspace", new
            {
                productName = original.GetProperty("productName").GetString(),
                fatigueDays = original.GetProperty("fatigueDays").GetInt32(),
                allowedOrigins = original.GetProperty("allowedOrigins").EnumerateArray().Select(o => o.GetString()).ToArray(),
                requireUserHash = false,
                npsTarget = (double?)null,
            })).ReadJson<JsonElement>();
        }
    }

    // ---- accessibility of what only the administration pages show -------------------------------

    [TestCase("light", 1280)]
    [TestCase("dark", 1280)]
    [TestCase("light", 320)]
    public async Task AdminPages_WithDialogsLogsAndSecrets_PassAxe_AndFit(string scheme, int width)
    {
        var hook = await (await Api.PostAsJsonAsync("/v1/webhooks", new { url = _receiver.Url("/axe"), events = new[] { "response.created" } })).ReadJson<JsonElement>(201);
        try
        {
            var page = await OpenAsync(new() { ColorScheme = scheme == "dark" ? ColorScheme.Dark : ColorScheme.Light, ViewportSize = new() { Width = width, Height = 900 } });
            var where = $"({scheme}, {width} px)";
            await SignIn("surveys", page);
            await page.Locator("#surveys-table button.danger").First.ClickAsync();
            await page.Locator("dialog.confirm[open]").WaitForAsync();
            await AssertAxeClean(page, "survey delete dialog " + where);
            await AnswerConfirm(page, yes: false);

            await Go("#/webhooks", page);
            await page.Locator($"li[data-webhook='{hook.GetProperty("id").GetString()}'] button:has-text('Delivery log')").ClickAsync();
            await page.Locator($"#deliveries-{hook.GetProperty("id").GetString()}").WaitForAsync();
            await page.FillAsync("#webhook-url", "not a url");
            await page.ClickAsync("#webhook-create button[type=submit]");
            await page.Locator("#webhook-create .error-summary:not([hidden])").WaitForAsync();
            await AssertAxeClean(page, "webhooks with a log and errors " + where);
            Assert.That(await Overflow(page), Is.LessThanOrEqualTo(0), "webhooks " + where);

            await Go("#/keys", page);
            await page.FillAsync("#key-name", $"axe {scheme} {width}");
            await AndRender("keys", () => page.ClickAsync("#key-create button[type=submit]"), page);
            await AssertAxeClean(page, "keys with a new secret " + where);
            Assert.That(await Overflow(page), Is.LessThanOrEqualTo(0), "keys " + where);
            await page.ClickAsync("#identity-rotate");
            await page.Locator("dialog.confirm[open]").WaitForAsync();
            await AssertAxeClean(page, "identity rotation dialog " + where);
            await AnswerConfirm(page, yes: false);

            await Go("#/settings", page);
            await AssertAxeClean(page, "settings " + where);
            Assert.That(await Overflow(page), Is.LessThanOrEqualTo(0), "settings " + where);
            // The webhook form was sent invalid on purpose: Chromium logs the API's 400 answer, and nothing else may be logged.
            Assert.That(Current.Console.Where(l => l.StartsWith("error", StringComparison.Ordinal) && !l.Contains("status of 400", StringComparison.Ordinal)), Is.Empty);
        }
        finally
        {
            await Api.DeleteAsync($"/v1/webhooks/{hook.GetProperty("id").GetString()}");
            foreach (var key in (await Get("/v1/keys")).GetProperty("items").EnumerateArray()
                         .Where(k => k.GetProperty("name").GetString()?.StartsWith("axe ", StringComparison.Ordinal) == true && k.GetProperty("revokedAt").ValueKind == JsonValueKind.Null))
                await Api.DeleteAsync($"/v1/keys/{key.GetProperty("id").GetString()}");
        }
    }
}
