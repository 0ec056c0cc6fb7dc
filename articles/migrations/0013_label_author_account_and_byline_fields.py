import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('articles', '0012_add_autosave'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='author',
            name='user',
            field=models.OneToOneField(blank=True, help_text='The login this person uses, if they work in the newsroom. Their articles get this byline by default; made for each staff account the first time it writes.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='author_profile', to=settings.AUTH_USER_MODEL, verbose_name='login account'),
        ),
        migrations.AlterField(
            model_name='byline',
            name='article',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='bylines', to='articles.article', verbose_name='article'),
        ),
        migrations.AlterField(
            model_name='byline',
            name='author',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='bylines', to='articles.author', verbose_name='author'),
        ),
    ]
