with

items as (

    select * from {{ ref('items') }}

),

item_wordings as (

    select * from {{ ref('item_wordings') }}

),

waves as (

    select * from {{ ref('waves') }}

),

survey_years as (

    select distinct fiscal_year from waves

),

wordings_by_year as (

    select
        items.item_code,
        survey_years.fiscal_year,
        item_wordings.wording_ja,
        item_wordings.valid_from_fy,
        item_wordings.valid_to_fy

    from items

    cross join survey_years

    inner join item_wordings
        on items.item_code = item_wordings.item_code
        and survey_years.fiscal_year >= item_wordings.valid_from_fy
        and (item_wordings.valid_to_fy is null or survey_years.fiscal_year <= item_wordings.valid_to_fy)

),

first_years as (

    select
        item_code,
        min(valid_from_fy) as first_wording_fy

    from item_wordings

    group by item_code

),

final as (

    select
        {{ dbt.concat(['wordings_by_year.item_code', "'|'", dbt.cast('wordings_by_year.fiscal_year', dbt.type_string())]) }}
            as item_wording_key,
        wordings_by_year.item_code,
        wordings_by_year.fiscal_year,
        wordings_by_year.wording_ja,
        wordings_by_year.valid_from_fy,
        wordings_by_year.valid_to_fy,
        wordings_by_year.valid_from_fy = wordings_by_year.fiscal_year
            and wordings_by_year.fiscal_year > first_years.first_wording_fy as is_changed_this_year

    from wordings_by_year

    inner join first_years
        on wordings_by_year.item_code = first_years.item_code

)

select * from final
