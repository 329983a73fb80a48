{#-
    Functions an engine needs before any model runs (on-run-start in dbt_project.yml).
    DuckDB needs none. PostgreSQL gets, in schema impact_udf:
    - try_cast(text, anyelement): the text cast to the type of the second argument, or null
      when it cannot be read (DuckDB's try_cast; safe_cast and parse_utc_timestamp use it);
    - indicator_results(answers, paired_scores, response_rates, scales, scale_measures,
      scale_labels, suppression_k): the rows of
      marts.fct_indicator_results, computed in PL/Python by the same code as the DuckDB
      Python model (impact_warehouse.transform.indicator_results, scipy/statsmodels).
      Needs the plpython3u extension (Debian postgresql-plpython3-15; creating it needs a
      superuser) and the impact_warehouse package with its pinned dependencies importable
      by the server's Python (impact_warehouse.transform.postgres_server sets PYTHONPATH).
    - indicator_targets(targets, results, waves, suppression_k) and
      indicator_series(results, item_wordings, suppression_k): the rows of
      marts.fct_indicator_targets and marts.fct_indicator_series, the same way
      (impact_warehouse.transform.indicator_targets / indicator_series).
    - nonresponse_balance, nonresponse_weighted_shares, comparison_adjusted and
      covariate_balance: the rows of the marts of the same names (METRICS.md "Adjusted
      estimates"), by impact_warehouse.transform.adjusted_plpython.
    - voice_codes(answers, codebook, manual_codes) and voice_quote_decisions(quotes, answers,
      codes, categories, codebook, items, scale_measures): the rows of marts.fct_voice_codes
      and marts.fct_voice_quote_decisions (impact_warehouse.transform.voices: codebook
      patterns and the personal-data detector in Python on both engines).
-#}
{% macro create_engine_functions() -%}
    {{ return(adapter.dispatch('create_engine_functions', 'impact_warehouse')()) }}
{%- endmacro %}

{% macro default__create_engine_functions() -%}
    {{ return('') }}
{%- endmacro %}

{% macro postgres__create_engine_functions() -%}
create schema if not exists impact_udf;

create or replace function impact_udf.try_cast(value text, target anyelement)
returns anyelement
language plpgsql
stable
as $$
begin
    -- Assigning text to the polymorphic variable runs the target type's input function.
    target := value;
    return target;
exception
    when data_exception then
        -- What DuckDB's casts read beyond PostgreSQL's: digit-group underscores (1_000)
        -- in numbers and, for integers, any number, rounded half away from zero (7.0, 1e3).
        begin
            if pg_typeof(target) in ('smallint'::regtype, 'integer'::regtype, 'bigint'::regtype) then
                target := round(cast(regexp_replace(value, '(\d)_(?=\d)', '\1', 'g') as numeric));
            elsif pg_typeof(target) in ('real'::regtype, 'double precision'::regtype, 'numeric'::regtype) then
                target := regexp_replace(value, '(\d)_(?=\d)', '\1', 'g');
            else
                return null;
            end if;
            return target;
        exception
            -- data_exception, or feature_not_supported for NaN as an integer
            when others then
                return null;
        end;
end;
$$;

create extension if not exists plpython3u;

create or replace function impact_udf.indicator_results(
    answers_relation text,
    paired_scores_relation text,
    response_rates_relation text,
    scales_relation text,
    scale_measures_relation text,
    scale_labels_relation text,
    suppression_k integer
)
returns table (
    indicator_result_key text,
    fiscal_year bigint,
    program_code text,
    population text,
    wave_type text,
    item_code text,
    scale_code text,
    indicator_code text,
    measure text,
    measure_kind text,
    is_primary_measure boolean,
    good_direction text,
    numerator bigint,
    denominator bigint,
    value double precision,
    ci_lower double precision,
    ci_upper double precision,
    comparison_numerator bigint,
    comparison_denominator bigint,
    comparison_value double precision,
    comparison_ci_lower double precision,
    comparison_ci_upper double precision,
    difference_points double precision,
    difference_ci_lower double precision,
    difference_ci_upper double precision,
    p_value double precision,
    test_name text,
    response_rate double precision,
    is_suppressed boolean,
    suppression_reason text
)
language plpython3u
volatile
as $$
from impact_warehouse.transform.postgres_plpython import indicator_results_rows
return indicator_results_rows(
    plpy,
    answers_relation,
    paired_scores_relation,
    response_rates_relation,
    (scales_relation, scale_measures_relation, scale_labels_relation),
    suppression_k,
)
$$;

create or replace function impact_udf.indicator_targets(
    targets_relation text,
    results_relation text,
    waves_relation text,
    suppression_k integer
)
returns table (
    indicator_target_key text,
    fiscal_year bigint,
    indicator_code text,
    program_code text,
    population text,
    wave_type text,
    item_code text,
    measure text,
    operator text,
    target_value double precision,
    is_every_year_target boolean,
    indicator_result_key text,
    numerator bigint,
    denominator bigint,
    value double precision,
    ci_lower double precision,
    ci_upper double precision,
    status text,
    not_judged_reason text,
    is_within_margin boolean,
    source_ja text,
    note_ja text
)
language plpython3u
volatile
as $$
from impact_warehouse.transform.postgres_plpython import indicator_targets_rows
return indicator_targets_rows(
    plpy, targets_relation, results_relation, waves_relation, suppression_k
)
$$;

create or replace function impact_udf.indicator_series(
    results_relation text,
    item_wordings_relation text,
    suppression_k integer
)
returns table (
    indicator_series_key text,
    fiscal_year bigint,
    program_code text,
    population text,
    wave_type text,
    item_code text,
    scale_code text,
    indicator_code text,
    measure text,
    good_direction text,
    is_primary_measure boolean,
    indicator_result_key text,
    numerator bigint,
    denominator bigint,
    value double precision,
    ci_lower double precision,
    ci_upper double precision,
    previous_fiscal_year bigint,
    previous_numerator bigint,
    previous_denominator bigint,
    previous_value double precision,
    difference_points double precision,
    difference_ci_lower double precision,
    difference_ci_upper double precision,
    trend_first_fiscal_year bigint,
    trend_years bigint,
    trend_odds_ratio double precision,
    trend_ci_lower double precision,
    trend_ci_upper double precision,
    trend_p_value double precision,
    wording_valid_from_fy bigint,
    is_wording_changed boolean,
    is_suppressed boolean,
    is_difference_suppressed boolean,
    is_trend_suppressed boolean
)
language plpython3u
volatile
as $$
from impact_warehouse.transform.postgres_plpython import indicator_series_rows
return indicator_series_rows(plpy, results_relation, item_wordings_relation, suppression_k)
$$;

create or replace function impact_udf.voice_codes(
    answers_relation text,
    codebook_relation text,
    manual_codes_relation text
)
returns table (
    voice_code_key text,
    answer_key text,
    response_key text,
    fiscal_year bigint,
    wave_code text,
    wave_type text,
    program_code text,
    respondent_key text,
    item_code text,
    category_code text,
    source text
)
language plpython3u
volatile
as $$
from impact_warehouse.transform.postgres_plpython import voice_codes_rows
return voice_codes_rows(plpy, answers_relation, codebook_relation, manual_codes_relation)
$$;

create or replace function impact_udf.voice_quote_decisions(
    quotes_relation text,
    answers_relation text,
    codes_relation text,
    categories_relation text,
    codebook_relation text,
    items_relation text,
    scale_measures_relation text
)
returns table (
    voice_quote_key text,
    response_key text,
    item_code text,
    answer_key text,
    fiscal_year bigint,
    wave_code text,
    wave_type text,
    category_code text,
    is_quoted boolean,
    drop_reason text
)
language plpython3u
volatile
as $$
from impact_warehouse.transform.postgres_plpython import voice_quote_decisions_rows
return voice_quote_decisions_rows(
    plpy,
    quotes_relation,
    answers_relation,
    (codes_relation, categories_relation),
    codebook_relation,
    (items_relation, scale_measures_relation),
)
$$;

create or replace function impact_udf.nonresponse_balance(
    wave_targets_relation text,
    waves_relation text,
    cohorts_relation text,
    participation_relation text,
    responses_relation text,
    answers_relation text,
    scales_relation text,
    scale_measures_relation text,
    scale_labels_relation text,
    min_effective_n double precision
)
returns table (
    nonresponse_balance_key text,
    fiscal_year bigint,
    variable text,
    variable_kind text,
    wave_type text,
    item_code text,
    level text,
    targeted_n bigint,
    respondents_n bigint,
    nonrespondents_n bigint,
    respondent_share double precision,
    nonrespondent_share double precision,
    targeted_share double precision,
    weighted_respondent_share double precision,
    smd double precision,
    smd_weighted double precision,
    is_in_model boolean,
    weighting_method text
)
language plpython3u
volatile
as $$
from impact_warehouse.transform.adjusted_plpython import nonresponse_rows
return nonresponse_rows(
    plpy,
    (
        wave_targets_relation,
        waves_relation,
        cohorts_relation,
        participation_relation,
        responses_relation,
        answers_relation,
    ),
    (scales_relation, scale_measures_relation, scale_labels_relation),
    min_effective_n,
    "balance",
)
$$;

create or replace function impact_udf.nonresponse_weighted_shares(
    wave_targets_relation text,
    waves_relation text,
    cohorts_relation text,
    participation_relation text,
    responses_relation text,
    answers_relation text,
    scales_relation text,
    scale_measures_relation text,
    scale_labels_relation text,
    min_effective_n double precision
)
returns table (
    nonresponse_share_key text,
    fiscal_year bigint,
    program_code text,
    item_code text,
    scale_code text,
    indicator_code text,
    measure text,
    good_direction text,
    targeted_n bigint,
    respondents_n bigint,
    numerator bigint,
    denominator bigint,
    value double precision,
    weighted_value double precision,
    effective_n double precision,
    ci_lower double precision,
    ci_upper double precision,
    max_weight_ratio double precision,
    weighting_method text,
    is_effective_n_low boolean
)
language plpython3u
volatile
as $$
from impact_warehouse.transform.adjusted_plpython import nonresponse_rows
return nonresponse_rows(
    plpy,
    (
        wave_targets_relation,
        waves_relation,
        cohorts_relation,
        participation_relation,
        responses_relation,
        answers_relation,
    ),
    (scales_relation, scale_measures_relation, scale_labels_relation),
    min_effective_n,
    "shares",
)
$$;

create or replace function impact_udf.comparison_adjusted(
    answers_relation text,
    covariates_relation text,
    scales_relation text,
    scale_measures_relation text,
    scale_labels_relation text,
    min_effective_n double precision,
    resamples integer,
    seed integer
)
returns table (
    comparison_adjusted_key text,
    fiscal_year bigint,
    item_code text,
    scale_code text,
    indicator_code text,
    measure text,
    good_direction text,
    estimate_type text,
    followup_numerator bigint,
    followup_denominator bigint,
    followup_value double precision,
    comparison_numerator bigint,
    comparison_denominator bigint,
    comparison_value double precision,
    comparison_effective_n double precision,
    difference_points double precision,
    difference_ci_lower double precision,
    difference_ci_upper double precision,
    interval_method text,
    weighting_method text,
    resamples bigint,
    max_asmd_before double precision,
    max_asmd_after double precision,
    is_effective_n_low boolean,
    is_imbalanced boolean,
    is_trustworthy boolean
)
language plpython3u
volatile
as $$
from impact_warehouse.transform.adjusted_plpython import comparison_rows
return comparison_rows(
    plpy,
    answers_relation,
    covariates_relation,
    (scales_relation, scale_measures_relation, scale_labels_relation),
    (min_effective_n, resamples, seed),
)
$$;

create or replace function impact_udf.covariate_balance(
    answers_relation text,
    covariates_relation text,
    scales_relation text,
    scale_measures_relation text,
    scale_labels_relation text
)
returns table (
    covariate_balance_key text,
    fiscal_year bigint,
    item_code text,
    level text,
    followup_n bigint,
    comparison_n bigint,
    followup_share double precision,
    comparison_share double precision,
    comparison_weighted_share double precision,
    asmd_before double precision,
    asmd_after double precision,
    meets_panel_screening boolean,
    weighting_method text
)
language plpython3u
volatile
as $$
from impact_warehouse.transform.adjusted_plpython import covariate_balance_rows
return covariate_balance_rows(
    plpy,
    answers_relation,
    covariates_relation,
    (scales_relation, scale_measures_relation, scale_labels_relation),
)
$$;
{%- endmacro %}
