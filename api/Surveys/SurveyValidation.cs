using System.Text.Json;
using Pulse.Api.Localization;
using Pulse.Api.Users;

namespace Pulse.Api.Surveys;

/// <summary>Checks a <see cref="SurveyInput"/> and applies it to a survey; every error names its field. Pure logic.</summary>
public static class SurveyValidation
{
    public const int MaxNameLength = 100;
    public const int MaxDays = 3650;
    public const int MaxPriority = 1000;
    public const int MaxDailyCap = 1_000_000;

    /// <summary>The longest wait of the email fallback after an ignored in-app display.</summary>
    public const int MaxEmailFallbackDays = 90;
    public const int MaxConditions = 20;
    public const int MaxConditionValues = 100;
    public const int MaxDomains = 100;
    public const int MaxTextLength = 1000;
    public const int MinVariants = 2;
    public const int MaxVariants = 4;
    public const int MaxVariantWeight = 100;

    /// <summary>The most a survey may weigh as JSON (its resource, UTF-8): what one workspace can make every eligibility call carry.</summary>
    public const int MaxSurveyBytes = 64 * 1024;

    public static IReadOnlyList<string> Kinds => QuestionKinds.Names;
    public static readonly IReadOnlyList<string> Positions = ["bottom-right", "bottom-left", "top-right", "top-left", "center"];
    public static readonly IReadOnlyList<string> Ops = ["eq", "neq", "in", "nin", "exists", "gte", "lte"];

    /// <summary>An event name: 1–64 of <c>a-z 0-9 _ . -</c>.</summary>
    public static bool IsEventName(string? name) =>
        name is { Length: > 0 and <= 64 } && !name.AsSpan().ContainsAnyExcept(EventNameChars);

    static readonly System.Buffers.SearchValues<char> EventNameChars =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyz0123456789_.-");

    /// <summary>The survey <paramref name="current"/> with <paramref name="input"/> applied, or the errors.</summary>
    public static Survey? Apply(Survey current, SurveyInput input, bool creating, out Dictionary<string, string[]> errors)
    {
        var e = new Dictionary<string, string[]>();
        void Error(string field, string message) => e[field] = [message];

        if (input.Id is not null && input.Id != current.Id)
            Error("id", creating ? "Leave the id out: Pulse gives each new survey its id." : "Leave the id out or send this survey's own id; ids never change.");

        var name = current.Name;
        if (input.Name is not null)
        {
            name = input.Name.Trim();
            if (name.Length is 0 or > MaxNameLength)
                Error("name", $"Give a name of 1 to {MaxNameLength} characters.");
            else if (Operations.FreeText.HasControl(name))
                Error("name", Operations.FreeText.NoControl("name"));
        }
        else if (creating)
            Error("name", "Give the survey a name (1 to 100 characters).");

        var kind = QuestionKinds.Of(current.Kind);
        if (input.Kind is not null && input.Kind != current.Kind)
        {
            if (QuestionKinds.Find(input.Kind) is not { } chosen)
                Error("kind", $"Choose one of: {string.Join(", ", Kinds)} (nps 0–10, csat 1–5, ces 1–7, enps 0–10 for employees).");
            else if (!creating)
                Error("kind", $"The kind is chosen when the survey is created and stays '{current.Kind}': its answers and reports are on that scale. Create a new survey to ask '{input.Kind}'.");
            else
                kind = chosen;
        }
        if (input.Priority is < -MaxPriority or > MaxPriority)
            Error("priority", $"Choose a whole number from -{MaxPriority} to {MaxPriority}; higher is asked first.");

        var trigger = current.Trigger;
        if (input.HasTrigger)
        {
            trigger = input.Trigger;
            if (trigger is not null && !IsEventName(trigger))
                Error("trigger", "Leave it empty for any page view, or give an event name of 1 to 64 characters: a-z, 0-9, '_', '.', '-'.");
        }

        CheckDays(input.FirstSurveyDelayDays, "firstSurveyDelayDays", Error);
        CheckDays(input.ResurveyDays, "resurveyDays", Error);
        CheckDays(input.DeclineCooldownDays, "declineCooldownDays", Error);
        CheckDays(input.ReshowAfterIgnoredDays, "reshowAfterIgnoredDays", Error);

        if (input.SamplePercent is { } percent && !(percent is >= 0 and <= 100))
            Error("samplePercent", "Choose a percentage from 0 to 100.");

        var dailyCap = current.DailyCap;
        if (input.HasDailyCap)
        {
            dailyCap = input.DailyCap;
            if (dailyCap is < 0 or > MaxDailyCap)
                Error("dailyCap", $"Leave it empty for no cap, or choose a whole number from 0 to {MaxDailyCap}.");
        }

        var fallback = current.EmailFallbackDays;
        if (input.HasEmailFallbackDays)
        {
            fallback = input.EmailFallbackDays;
            if (fallback is < 1 or > MaxEmailFallbackDays)
                Error("emailFallbackDays", $"Leave it empty for no email fallback, or choose a whole number of days from 1 to {MaxEmailFallbackDays}.");
        }

        var targeting = input.Targeting is null ? current.Targeting : CheckTargeting(input.Targeting, Error);
        var domains = input.ExcludeEmailDomains is null ? current.ExcludeEmailDomains : CheckDomains(input.ExcludeEmailDomains, Error);
        var texts = input.Texts is null ? current.Texts : CheckTexts(input.Texts, kind, Error);
        var theme = input.Theme is null ? current.Theme : CheckTheme(current.Theme, input.Theme, Error);
        var variants = input.Variants is null ? current.Variants : CheckVariants(input.Variants, texts, kind, Error);
        var reasons = !input.HasReasons ? current.Reasons
            : input.Reasons is null ? null
            : ReasonsValidation.Check(input.Reasons, kind.Name, "reasons", Error);
        if (e.Count == 0)
            CheckReasonTexts(texts, reasons, variants, Error);

        errors = e;
        if (e.Count > 0)
            return null;
        var applied = current with
        {
            Name = name,
            Kind = kind.Name,
            Active = input.Active ?? current.Active,
            Priority = input.Priority ?? current.Priority,
            Trigger = trigger,
            FirstSurveyDelayDays = input.FirstSurveyDelayDays ?? current.FirstSurveyDelayDays,
            ResurveyDays = input.ResurveyDays ?? current.ResurveyDays,
            DeclineCooldownDays = input.DeclineCooldownDays ?? current.DeclineCooldownDays,
            ReshowAfterIgnoredDays = input.ReshowAfterIgnoredDays ?? current.ReshowAfterIgnoredDays,
            SamplePercent = input.SamplePercent ?? current.SamplePercent,
            DailyCap = dailyCap,
            Targeting = targeting,
            ExcludeEmailDomains = domains,
            Texts = texts,
            Theme = theme,
            Variants = variants,
            Reasons = reasons,
            EmailFallbackDays = fallback,
        };
        var bytes = JsonSerializer.SerializeToUtf8Bytes(applied.ToResource(), SurveyMapping.ColumnJson).Length;
        if (bytes > MaxSurveyBytes)
        {
            Error("survey", $"the survey would be {bytes} bytes as JSON; a survey holds at most {MaxSurveyBytes} (64 KiB). Use fewer or shorter targeting values or texts");
            return null;
        }
        return applied;
    }

    static void CheckDays(int? days, string field, Action<string, string> error)
    {
        if (days is < 0 or > MaxDays)
            error(field, $"Choose a number of days from 0 to {MaxDays}.");
    }

    /// <summary>
    /// Checks trait conditions (survey targeting, follow-up assignment rules), reporting each error
    /// under <paramref name="name"/><c>[i]…</c>; returns the valid conditions.
    /// </summary>
    public static List<TargetingCondition> CheckTargeting(IReadOnlyList<TargetingCondition?> conditions, Action<string, string> error, string name = "targeting")
    {
        var result = new List<TargetingCondition>();
        if (conditions.Count > MaxConditions)
        {
            error(name, $"Keep at most {MaxConditions} conditions.");
            return result;
        }
        for (var i = 0; i < conditions.Count; i++)
        {
            var field = $"{name}[{i}]";
            if (conditions[i] is not { } c)
            {
                error(field, "Give each condition as an object { trait, op, value | values }.");
                continue;
            }
            if (!Traits.IsValidKey(c.Trait))
            {
                error(field + ".trait", "Name a trait: a letter or '_', then letters, digits, '_', '.', '-'; at most 64 characters.");
                continue;
            }
            switch (c.Op)
            {
                case "eq" or "neq":
                    if (c.Values is not null || c.Value is not { } v || !IsScalar(v))
                        error(field + ".value", $"'{c.Op}' compares with one value: give a string, number or boolean (and no list).");
                    else
                        result.Add(new TargetingCondition(c.Trait, c.Op, v));
                    break;
                case "gte" or "lte":
                    if (c.Values is not null || c.Value is not { ValueKind: JsonValueKind.Number } n || !n.TryGetDouble(out var d) || !double.IsFinite(d))
                        error(field + ".value", $"'{c.Op}' compares with one number: give a number (and no list).");
                    else
                        result.Add(new TargetingCondition(c.Trait, c.Op, n));
                    break;
                case "in" or "nin":
                    if (c.Value is not null || c.Values is not { Count: > 0 and <= MaxConditionValues } list || !list.All(IsScalar))
                        error(field + ".values", $"'{c.Op}' compares with a list: give 1 to {MaxConditionValues} strings, numbers or booleans (and no single value).");
                    else
                        result.Add(new TargetingCondition(c.Trait, c.Op, null, c.Values));
                    break;
                case "exists":
                    if (c.Value is not null || c.Values is not null)
                        error(field, "'exists' compares with nothing: remove the value and the list.");
                    else
                        result.Add(new TargetingCondition(c.Trait, c.Op));
                    break;
                default:
                    error(field + ".op", $"Choose a comparison: {string.Join(", ", Ops)}.");
                    break;
            }
        }
        return result;
    }

    static bool IsScalar(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.String => Traits.TextOf(v) is { Length: <= Traits.MaxStringLength },
        JsonValueKind.True or JsonValueKind.False => true,
        JsonValueKind.Number => v.TryGetDouble(out var d) && double.IsFinite(d),
        _ => false,
    };

    static List<string> CheckDomains(IReadOnlyList<string?> domains, Action<string, string> error)
    {
        var result = new List<string>();
        if (domains.Count > MaxDomains)
        {
            error("excludeEmailDomains", $"Keep at most {MaxDomains} domains.");
            return result;
        }
        for (var i = 0; i < domains.Count; i++)
        {
            var domain = domains[i]?.Trim().TrimStart('@').ToLowerInvariant();
            if (domain is null || !IsDomain(domain))
                error($"excludeEmailDomains[{i}]", "Give a domain such as 'acme.com' (letters, digits, '-', '.'; at most 253 characters).");
            else if (!result.Contains(domain))
                result.Add(domain);
        }
        return result;
    }

    static bool IsDomain(string d) =>
        d.Length is > 0 and <= 253
        && d.Split('.').All(label => label.Length is > 0 and <= 63 && label.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-')
                                     && label[0] != '-' && label[^1] != '-');

    static Dictionary<string, TextOverrides> CheckTexts(IReadOnlyDictionary<string, TextOverrides?> texts, QuestionKind kind, Action<string, string> error)
    {
        var fields = CatalogKeys.FieldsOf(kind.CategoryNames);
        var result = new Dictionary<string, TextOverrides>(StringComparer.OrdinalIgnoreCase);
        foreach (var (locale, overrides) in texts)
        {
            var field = $"texts.{locale}";
            var builtIn = SurveyCatalog.Find(locale)?.Code;
            if (builtIn is null && !LocaleNegotiation.IsWellFormedTag(locale))
            {
                error(field, $"'{locale}' is not a language tag: give a catalog locale ({string.Join(", ", SurveyCatalog.Codes)}) or any BCP 47 tag such as 'sw' or 'gsw-CH' with every text.");
                continue;
            }
            if (overrides is null)
            {
                error(field, $"Give an object of the texts: question, low, high, followUp {{ {string.Join(", ", kind.CategoryNames.Reverse())} }}, placeholder, submit, dismiss, thanks, optOut, reasons {{ question, other, placeholder }}.");
                continue;
            }
            var code = builtIn ?? LocaleNegotiation.Canonical(locale);
            if (result.ContainsKey(code))
            {
                error(field, $"'{code}' is given twice (tags match without regard to case and '_'); keep one.");
                continue;
            }
            var ok = CheckFields(overrides, field, kind, builtIn is null ? "" : ", or leave it out to keep the catalog's wording", error);
            if (builtIn is not null && overrides.Dir is not null)
            {
                error($"{field}.dir", $"'{builtIn}' is a catalog locale and keeps its direction; 'dir' is for custom locales only.");
                ok = false;
            }
            if (overrides.Dir is not null and not ("ltr" or "rtl"))
            {
                error($"{field}.dir", "Choose 'ltr' or 'rtl'.");
                ok = false;
            }
            if (builtIn is null && fields.Where(f => overrides.Field(f) is null).ToList() is { Count: > 0 } missing)
            {
                error(field, $"'{code}' is not in Pulse's catalog, so it is a custom locale and needs every text; missing: {string.Join(", ", missing)}.");
                ok = false;
            }
            if (ok)
                result[code] = overrides with
                {
                    FollowUp = overrides.FollowUp is { IsEmpty: true } ? null : overrides.FollowUp,
                    Reasons = overrides.Reasons is { Question: null, Other: null, Placeholder: null } ? null : overrides.Reasons,
                };
        }
        return result;
    }

    /// <summary>Checks the length of every string given and that follow-ups name the kind's categories; false when one is wrong.</summary>
    static bool CheckFields(TextOverrides overrides, string field, QuestionKind kind, string orLeaveOut, Action<string, string> error)
    {
        var ok = true;
        foreach (var other in QuestionKinds.AllCategories.Except(kind.CategoryNames))
        {
            if (overrides.FollowUp?.Of(other) is null)
                continue;
            error($"{field}.followUp.{other}", $"'{other}' is not a category of a {kind.Name} survey; its follow-ups are {string.Join(", ", kind.CategoryNames)}.");
            ok = false;
        }
        foreach (var name in CatalogKeys.FieldsOf(kind.CategoryNames))
        {
            var value = overrides.Field(name);
            if (value is not null && (value.Trim().Length == 0 || value.Length > MaxTextLength))
            {
                error($"{field}.{name}", $"Write 1 to {MaxTextLength} characters{orLeaveOut}.");
                ok = false;
            }
        }
        return ok;
    }

    /// <summary>A variant key: 1–16 of <c>a-z 0-9 _ -</c>.</summary>
    static bool IsVariantKey(string? key) =>
        key is { Length: > 0 and <= 16 } && key.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '_' or '-');

    /// <summary>
    /// A custom locale needs the reasons question's texts only when the survey (or a variant) asks it;
    /// checked on the merged survey, so adding reasons to a survey with a custom locale names what it lacks.
    /// </summary>
    static void CheckReasonTexts(IReadOnlyDictionary<string, TextOverrides> texts, SurveyReasons? reasons, IReadOnlyList<SurveyVariant> variants, Action<string, string> error)
    {
        if (reasons is null && variants.All(v => v.Reasons is null))
            return;
        foreach (var (code, overrides) in texts)
            if (SurveyCatalog.Find(code) is null && CatalogKeys.ReasonFields.Where(f => overrides.Field(f) is null).ToList() is { Count: > 0 } missing)
                error($"texts.{code}", $"'{code}' is a custom locale and this survey asks the reasons question, so it needs its texts too; missing: {string.Join(", ", missing)}.");
    }

    static List<SurveyVariant> CheckVariants(IReadOnlyList<VariantInput?> variants, IReadOnlyDictionary<string, TextOverrides> surveyTexts, QuestionKind kind,
        Action<string, string> error)
    {
        var result = new List<SurveyVariant>();
        if (variants.Count == 0)
            return result;
        if (variants.Count is < MinVariants or > MaxVariants)
        {
            error("variants", $"Give {MinVariants} to {MaxVariants} variants, or an empty list for none.");
            return result;
        }
        var custom = surveyTexts.Keys.Where(k => SurveyCatalog.Find(k) is null).ToList();
        for (var i = 0; i < variants.Count; i++)
        {
            var field = $"variants[{i}]";
            if (variants[i] is not { } v)
            {
                error(field, "Give each variant as an object { key, weight, texts }.");
                continue;
            }
            var ok = true;
            if (!IsVariantKey(v.Key))
            {
                error(field + ".key", "Name the variant: 1 to 16 characters of a-z, 0-9, '_', '-' (e.g. 'a', 'b', 'short-question').");
                ok = false;
            }
            else if (variants.Take(i).Any(p => p?.Key == v.Key))
            {
                error(field + ".key", $"'{v.Key}' names another variant too; give each its own key.");
                ok = false;
            }
            if (v.Weight is not (>= 1 and <= MaxVariantWeight))
            {
                error(field + ".weight", $"Give a whole number from 1 to {MaxVariantWeight}; each variant is shown to its weight's share of users.");
                ok = false;
            }
            var texts = new Dictionary<string, TextOverrides>(StringComparer.OrdinalIgnoreCase);
            foreach (var (locale, overrides) in v.Texts ?? new Dictionary<string, TextOverrides?>())
            {
                var textField = $"{field}.texts.{locale}";
                var code = SurveyCatalog.Find(locale)?.Code ?? custom.FirstOrDefault(c => c.Equals(LocaleNegotiation.Canonical(locale), StringComparison.OrdinalIgnoreCase));
                if (code is null || overrides is null)
                {
                    error(textField, code is null
                        ? $"'{locale}' is neither a catalog locale nor one of this survey's own; add it to the survey's texts first."
                        : "Give an object of the texts this variant changes, e.g. { \"question\": \"…\" }.");
                    ok = false;
                    continue;
                }
                if (!CheckFields(overrides, textField, kind, ", or leave it out to keep the survey's wording", error))
                    ok = false;
                else if (overrides.Dir is not null)
                {
                    error(textField + ".dir", "A variant changes words, not the direction; leave 'dir' out.");
                    ok = false;
                }
                else
                    texts[code] = overrides;
            }
            SurveyReasons? reasons = null;
            if (v.Reasons is not null && (reasons = ReasonsValidation.Check(v.Reasons, kind.Name, field + ".reasons", error)) is null)
                ok = false;
            if (ok)
                result.Add(new SurveyVariant(v.Key!, v.Weight!.Value, texts, reasons));
        }
        return result;
    }

    static SurveyTheme CheckTheme(SurveyTheme current, ThemeInput input, Action<string, string> error)
    {
        var color = input.Color?.ToLowerInvariant() ?? current.Color;
        if (color.Length != 7 || color[0] != '#' || !color[1..].All(char.IsAsciiHexDigitLower))
            error("theme.color", "Choose a colour as '#rrggbb', e.g. '#4f46e5'.");
        var position = input.Position ?? current.Position;
        if (!Positions.Contains(position))
            error("theme.position", $"Choose one of: {string.Join(", ", Positions)}.");
        return new SurveyTheme(color, position);
    }
}
